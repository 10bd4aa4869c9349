// A peer's side of a deployment: wait for the replicated row and its blob, read and verify the
// payload, run extract, install and load, and report the outcome. Peers never write the row.
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  createHashingCounter,
  PayloadHashMismatchError,
  PayloadSizeMismatchError,
  REPLICATED_FIELDS,
  streamBlob,
  waitForDeploymentPayload,
} from '@harper-deploy/peer-relay';
import type { NodeContext } from './context.js';
import { type DeployOptions, parseDeployOptions } from './deploy-options.js';
import type { HarperBlob } from './harper.js';
import { HttpError } from './http-error.js';
import { dropBackup, type SwapResult } from './lifecycle/component-store.js';
import { PhaseError, prepareComponent } from './lifecycle/prepare.js';
import { type NodeOutcome, readOutcome, writeOutcome } from './lifecycle/restart.js';
import type { DeploymentRow } from './row-types.js';

const HASH_POLL_MS = 100;

/** The fields a replicated deploy operation may carry, from the relay's allow-list. */
const REPLICATED_FIELD_NAMES: ReadonlySet<string> = new Set(REPLICATED_FIELDS);

export interface PreparedRecord {
  result: NodeOutcome;
  swap: SwapResult | null;
  project: string;
  /** The field names of the replicated operation as it arrived, kept for audits and tests. */
  received_fields: string[];
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
  const spool = join(context.store.stagingDir(deploymentId), '..', `${deploymentId}.tgz`);
  try {
    const deadline = Date.now() + context.settings.peerRowTimeoutMs;
    const { blob } = await waitForDeploymentPayload({
      table: context.table,
      deploymentId,
      timeoutMs: context.settings.peerRowTimeoutMs,
    });
    log('payload blob found, reading it');
    await mkdir(join(spool, '..'), { recursive: true });
    // The payload is spooled to disk while the origin may still be uploading it, then checked
    // against the size and hash the origin records at the end of the upload. Only a verified
    // payload reaches the extractor.
    const counter = createHashingCounter();
    await pipeline(
      streamBlob(blob as HarperBlob, { idleTimeoutMs: context.settings.peerReceiveIdleTimeoutMs }),
      counter,
      createWriteStream(spool),
    );
    const row = await waitForPayloadHash(context, deploymentId, deadline);
    if (counter.bytes !== row.payload_size) {
      throw new PayloadSizeMismatchError(row.payload_size as number, counter.bytes);
    }
    if (counter.digest() !== row.payload_hash) {
      throw new PayloadHashMismatchError(row.payload_hash as string, counter.digest());
    }
    log(`payload of ${counter.bytes} bytes verified`);
    const swap = await prepareComponent(createReadStream(spool), {
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
    });
    if (options.restart === 'none') {
      await dropBackup(swap);
      await writeOutcome(context.store, deploymentId, result);
    }
    return result;
  } catch (error) {
    const phaseError = error instanceof PhaseError ? error : null;
    const code = phaseError?.code ?? (error as { code?: string }).code ?? 'PEER_FAILED';
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
    await writeOutcome(context.store, deploymentId, result);
    return result;
  } finally {
    await rm(spool, { force: true });
  }
}

/** Waits until the row carries the hash and size the origin writes when the upload ends. */
async function waitForPayloadHash(
  context: NodeContext,
  deploymentId: string,
  deadline: number,
): Promise<DeploymentRow> {
  for (;;) {
    const row = (await context.table.get(deploymentId)) as DeploymentRow | null | undefined;
    if (row && typeof row.payload_hash === 'string' && typeof row.payload_size === 'number')
      return row;
    if (Date.now() > deadline) {
      throw new HttpError(
        504,
        'PAYLOAD_HASH_MISSING',
        `deployment row ${deploymentId} has no payload hash and size after ${context.settings.peerRowTimeoutMs} ms: the upload on the origin did not finish`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, HASH_POLL_MS));
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
