// Work a worker does when it starts: watch for deployment rows whose payload this node should
// fetch, finish the deployments whose restart it is, and mark this node's deployments that an
// earlier worker or process left unfinished as failed.
import { markStaleDeployments } from '@harper-deploy/deploy-recorder';
import type { NodeContext } from './context.js';
import { finishOriginAfterRestart } from './finish-after-restart.js';
import { readOutcome, resolvePendingRestarts } from './lifecycle/restart.js';
import { discardSpools, watchForPayloads } from './payload-fetch.js';
import { readPrepared } from './peer-deploy.js';
import type { DeploymentRow } from './row-types.js';

/** Runs the startup tasks. Each task catches and logs its errors, so the component still loads. */
export async function runStartupTasks(context: NodeContext): Promise<void> {
  try {
    // Spools left by an earlier worker are removed before this worker starts its own.
    // NOTE: with more than one HTTP worker thread per node, every worker would fetch each payload
    // and could remove a live worker's spool here. The harness and the demo run one worker per node.
    await discardSpools(context);
    await watchForPayloads(context, async (deploymentId) =>
      Boolean(
        (await readPrepared(context, deploymentId)) ??
          (await readOutcome(context.store, deploymentId)),
      ),
    );
  } catch (error) {
    context.logger.error('watching for deployment payloads failed', error);
  }
  try {
    await resolvePendingRestarts({
      store: context.store,
      server: context.server,
      workerStartedAt: context.workerStartedAt,
      onResolved: async ({ pending, outcome }) => {
        context.logger.info(
          `deployment ${pending.deployment_id}: ${pending.project} ${outcome.status} after restart on ${context.nodeName}`,
        );
        if (pending.role === 'origin') await finishOriginAfterRestart(context, pending, outcome);
      },
    });
  } catch (error) {
    context.logger.error('resolving pending restarts failed', error);
  }
  try {
    const rows: DeploymentRow[] = [];
    for await (const row of context.table.search({ conditions: [] })) rows.push(row);
    // A row of this node that is still running was started by a worker that no longer exists:
    // this worker started after it, and deployments never move between workers.
    // NOTE: with more than one HTTP worker thread per node, another live worker's deployment
    // could be marked here. The harness and the demo run one worker per node.
    const marked = await markStaleDeployments({
      table: context.table,
      rows,
      originNode: context.nodeName,
      olderThanMs: 0,
      now: () => context.workerStartedAt,
      excludeStatuses: [],
    });
    for (const id of marked)
      context.logger.warn(
        `deployment ${id} marked failed: the origin restarted before it finished`,
      );
  } catch (error) {
    context.logger.error('marking stale deployments failed', error);
  }
}
