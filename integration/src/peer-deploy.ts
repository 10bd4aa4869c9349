// A peer's side of a deployment: take the payload that was fetched as the row replicated (or fetch
// it now), run extract, install and load, and report the outcome. Peers never write the row.
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPLICATED_FIELDS } from '@harper-deploy/peer-relay';
import type { NodeContext } from './context.js';
import { type DeployOptions, parseDeployOptions } from './deploy-options.js';
import { HttpError } from './http-error.js';
import { dropBackup, type SwapResult } from './lifecycle/component-store.js';
import { PhaseError, prepareComponent } from './lifecycle/prepare.js';
import { type NodeOutcome, readOutcome, writeOutcome } from './lifecycle/restart.js';
import { claimPayload, releasePayload } from './payload-fetch.js';

/** The fields a replicated deploy operation may carry, from the relay's allow-list. */
const REPLICATED_FIELD_NAMES: ReadonlySet<string> = new Set(REPLICATED_FIELDS);

export interface PreparedRecord {
  result: NodeOutcome;
  swap: SwapResult | null;
  project: string;
  /** The field names of the replicated operation as it arrived, kept for audits and tests. */
  received_fields: string[];
  /**
   * Milliseconds between the operation's arrival and a verified payload on disk. Near zero when
   * the payload was fetched as the row replicated, before the origin's operation arrived.
   */
  payload_wait_ms: number;
}

/** Peer deployments in progress in this worker, so a replayed operation joins the first run. */
const inFlight = new Map<string, Promise<NodeOutcome>>();

function preparedFile(context: NodeContext, deploymentId: string): string {
  return join(
    context.store.componentsDir,
    '..',
    'deploy-tracking',
    'prepared',
    `${deploymentId}.json`,
  );
}

/** Returns what this peer recorded after preparing a deployment, or null. */
export async function readPrepared(
  context: NodeContext,
  deploymentId: string,
): Promise<PreparedRecord | null> {
  const file = preparedFile(context, deploymentId);
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as PreparedRecord;
}

/** Validates a replicated operation and returns its deployment id and options. */
export function parseReplicatedOperation(body: unknown): {
  deploymentId: string;
  options: DeployOptions;
} {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      400,
      'INVALID_OPERATION',
      'invalid replicated operation: send a JSON object',
    );
  }
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (!REPLICATED_FIELD_NAMES.has(name)) {
      throw new HttpError(
        400,
        'INVALID_OPERATION',
        `replicated operation carries ${JSON.stringify(name)}, which is not replicated: strip the operation before sending it`,
      );
    }
    if (name !== '_deploymentId') fields[name] = value;
  }
  const deploymentId = (body as { _deploymentId?: unknown })._deploymentId;
  if (typeof deploymentId !== 'string' || !/^[0-9a-f-]{36}$/i.test(deploymentId)) {
    throw new HttpError(
      400,
      'INVALID_OPERATION',
      `invalid _deploymentId ${JSON.stringify(deploymentId)}: send the deployment's UUID`,
    );
  }
  return { deploymentId, options: parseDeployOptions(fields, { allowInstallCommand: true }) };
}

/** Runs the peer lifecycle once per deployment; a replay returns the first run's outcome. */
export async function runPeerDeploy(
  context: NodeContext,
  deploymentId: string,
  options: DeployOptions,
  receivedFields: string[],
): Promise<NodeOutcome> {
  const final = await readOutcome(context.store, deploymentId);
  if (final) return final;
  const prepared = await readPrepared(context, deploymentId);
  if (prepared) return prepared.result;
  const running = inFlight.get(deploymentId);
  if (running) return running;
  const run = preparePeer(context, deploymentId, options, receivedFields).finally(() =>
    inFlight.delete(deploymentId),
  );
  inFlight.set(deploymentId, run);
  return run;
}

async function preparePeer(
  context: NodeContext,
  deploymentId: string,
  options: DeployOptions,
  receivedFields: string[],
): Promise<NodeOutcome> {
  const startedAt = Date.now();
  const log = (message: string): void =>
    context.logger.info(`deployment ${deploymentId} on peer ${context.nodeName}: ${message}`);
  let readingPayload = true;
  try {
    const payload = await claimPayload(context, deploymentId);
    readingPayload = false;
    const payloadWaitMs = Date.now() - startedAt;
    log(`payload of ${payload.bytes} bytes verified, after waiting ${payloadWaitMs} ms for it`);
    const swap = await prepareComponent(createReadStream(payload.path), {
      deploymentId,
      options,
      settings: context.settings,
      store: context.store,
      hooks: {
        phase: (phase, status, message) =>
          log(`${phase} ${status}${message ? `: ${message}` : ''}`),
        installLine: () => undefined,
      },
    });
    const result: NodeOutcome = {
      node: context.nodeName,
      status: 'success',
      error: null,
      started_at: startedAt,
      completed_at: Date.now(),
    };
    await savePrepared(context, deploymentId, {
      result,
      swap,
      project: options.project,
      received_fields: receivedFields,
      payload_wait_ms: payloadWaitMs,
    });
    if (options.restart === 'none') {
      await dropBackup(swap);
      await writeOutcome(context.store, deploymentId, result);
    }
    return result;
  } catch (error) {
    const phaseError = error instanceof PhaseError ? error : null;
    const code =
      phaseError?.code ??
      (error as { code?: string }).code ??
      (readingPayload ? 'PAYLOAD_READ_FAILED' : 'PEER_FAILED');
    const message = (error as Error).message;
    context.logger.warn(
      `deployment ${deploymentId} on peer ${context.nodeName} failed: ${message}`,
    );
    const result: NodeOutcome = {
      node: context.nodeName,
      status: 'failed',
      error: { message, code },
      started_at: startedAt,
      completed_at: Date.now(),
    };
    // A failed payload read stores no final outcome, so the origin can send the blob again and
    // replay the operation to this peer.
    if (!readingPayload) await writeOutcome(context.store, deploymentId, result);
    return result;
  } finally {
    await releasePayload(context, deploymentId);
  }
}

async function savePrepared(
  context: NodeContext,
  deploymentId: string,
  record: PreparedRecord,
): Promise<void> {
  const file = preparedFile(context, deploymentId);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify(record));
}
