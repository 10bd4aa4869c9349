// Finishes an origin row in the worker that started after the origin's own restart: adds the
// origin's outcome to the peer results, decides the final status, and writes the row once.
import { appendEvent, type EventLogEntry, isTerminalStatus } from '@harper-deploy/deploy-recorder';
import { summarizeReplication } from '@harper-deploy/harper-pro-adapter';
import type { NodeContext } from './context.js';
import type { NodeOutcome, PendingRestart } from './lifecycle/restart.js';
import { failurePhase } from './origin-deploy.js';
import type { DeploymentRow, PeerResult } from './row-types.js';

/** Writes the terminal row for a deployment whose origin just restarted. */
export async function finishOriginAfterRestart(
  context: NodeContext,
  pending: PendingRestart,
  outcome: NodeOutcome,
): Promise<void> {
  const current = (await context.table.get(pending.deployment_id)) as
    | DeploymentRow
    | null
    | undefined;
  if (!current || isTerminalStatus(current.status)) return;
  const row: DeploymentRow = { ...current };
  let log = [...((row.event_log ?? []) as EventLogEntry[])];
  let nextId = (log.at(-1)?.id ?? 0) + 1;
  const append = (event: EventLogEntry['event'], data: unknown): void => {
    log = appendEvent(log, { id: nextId++, t: Date.now(), event, data } as EventLogEntry);
  };

  const originResult = { ...outcome, origin: true } as PeerResult;
  const peers = ((row.peer_results ?? []) as PeerResult[]).filter(
    (result) => result.node !== outcome.node,
  );
  append('peer', originResult);
  append('phase', {
    phase: 'restart',
    status: outcome.status === 'success' ? 'done' : 'error',
    ...(outcome.error ? { message: outcome.error.message } : {}),
  });

  let status: 'success' | 'failed' = 'success';
  let error: DeploymentRow['error'] = null;
  if (outcome.status === 'failed') {
    status = 'failed';
    error = {
      message: outcome.error?.message ?? 'the component failed to load on the origin',
      code: outcome.error?.code ?? 'LOAD_FAILED',
      phase: 'load',
    };
  } else {
    const summary = summarizeReplication(peers, {
      ignoreReplicationErrors: pending.ignore_replication_errors ?? false,
      peersConfigured: pending.peers_configured ?? peers.length,
    });
    for (const warning of summary.warnings) append('warning', { message: warning });
    if (summary.status === 'failed') {
      status = 'failed';
      error = { message: summary.message, ...failurePhase(peers) };
    }
  }
  if (error) append('error', error);

  const completedAt = Date.now();
  await context.table.put(pending.deployment_id, {
    ...row,
    status,
    error,
    event_log: log,
    peer_results: [originResult, ...peers],
    completed_at: completedAt,
  } as DeploymentRow);
  context.logger.info(
    `deployment ${pending.deployment_id} finished ${status} after the origin restart`,
  );
}
