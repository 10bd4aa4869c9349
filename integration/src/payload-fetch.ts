// A peer reads a deployment's payload as soon as the row replicates to it, while the origin is
// still uploading and preparing, so the payload is on disk and verified by the time the origin
// sends the deploy operation. The peer route joins a fetch in progress or starts one itself.
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isTerminalStatus } from '@harper-deploy/deploy-recorder';
import {
  createHashingCounter,
  PayloadHashMismatchError,
  PayloadSizeMismatchError,
  streamBlob,
  waitForDeploymentPayload,
} from '@harper-deploy/peer-relay';
import type { NodeContext } from './context.js';
import type { HarperBlob } from './harper.js';
import { HttpError } from './http-error.js';
import type { DeploymentRow } from './row-types.js';

const HASH_POLL_MS = 100;
const BLOB_REREAD_MS = 500;

/** A payload spooled to disk and checked against the row's size and hash. */
export interface FetchedPayload {
  path: string;
  bytes: number;
  /** Epoch ms when the payload was verified. */
  verifiedAt: number;
}

interface Fetch {
  payload: Promise<FetchedPayload>;
  /** True once the peer route has requested this payload, so its run owns the spool file. */
  claimed: boolean;
}

/** Fetches started in this worker, by deployment id. A failed fetch is removed, so a later call retries. */
const fetches = new Map<string, Fetch>();
/**
 * Deployments the watcher must not fetch: an early fetch failed (the peer route retries it), or
 * the peer route already used and released the payload.
 */
const watcherSkips = new Set<string>();
/** Deployments whose payload read Harper rejected once, so the origin's replay reads patiently. */
const readFailedOnce = new Set<string>();

function spoolPath(context: NodeContext, deploymentId: string): string {
  return join(context.store.stagingDir(deploymentId), '..', `${deploymentId}.tgz`);
}

function startFetch(context: NodeContext, deploymentId: string): Fetch {
  const entry: Fetch = { payload: spool(context, deploymentId), claimed: false };
  fetches.set(deploymentId, entry);
  entry.payload.catch(() => {
    if (fetches.get(deploymentId) === entry) fetches.delete(deploymentId);
  });
  return entry;
}

/**
 * Returns the verified payload of a deployment, joining a fetch that started when the row arrived
 * or starting one. The caller owns the spool file from then on and removes it with
 * {@link releasePayload}.
 *
 * Harper rejects the read of a copy cut off by a restart at once, with an error without a `code`
 * ("Blob is incomplete"). The first such failure is returned, so the origin learns of it, puts
 * the row with its blob again and replays the operation. On that replay the read is tried every
 * 500 ms until `peerRowTimeoutMs` has passed, while the new copy replicates.
 */
export async function claimPayload(
  context: NodeContext,
  deploymentId: string,
): Promise<FetchedPayload> {
  const deadline = Date.now() + context.settings.peerRowTimeoutMs;
  const replay = readFailedOnce.has(deploymentId);
  for (;;) {
    const entry = fetches.get(deploymentId) ?? startFetch(context, deploymentId);
    entry.claimed = true;
    try {
      const payload = await entry.payload;
      readFailedOnce.delete(deploymentId);
      return payload;
    } catch (error) {
      const fromHarper = (error as { code?: unknown }).code === undefined;
      if (fromHarper && !replay) readFailedOnce.add(deploymentId);
      if (!fromHarper || !replay || Date.now() + BLOB_REREAD_MS > deadline) throw error;
      context.logger.warn(
        `deployment ${deploymentId} on peer ${context.nodeName}: reading the payload failed (${(error as Error).message}), reading it again`,
      );
      await new Promise((resolve) => setTimeout(resolve, BLOB_REREAD_MS));
    }
  }
}

/** Removes a deployment's spool file and drops its fetch entry. */
export async function releasePayload(context: NodeContext, deploymentId: string): Promise<void> {
  fetches.delete(deploymentId);
  watcherSkips.add(deploymentId);
  await rm(spoolPath(context, deploymentId), { force: true });
}

/** Removes the spool files in the staging folder; called at start, before any fetch of this worker. */
export async function discardSpools(context: NodeContext): Promise<void> {
  const folder = join(spoolPath(context, 'x'), '..');
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (name.endsWith('.tgz')) await rm(join(folder, name), { force: true });
  }
}

async function spool(context: NodeContext, deploymentId: string): Promise<FetchedPayload> {
  const path = spoolPath(context, deploymentId);
  try {
    const { blob } = await waitForDeploymentPayload({
      table: context.table,
      deploymentId,
      timeoutMs: context.settings.peerRowTimeoutMs,
    });
    await mkdir(join(path, '..'), { recursive: true });
    // The blob can still be arriving while the origin uploads it. The bytes go to disk through a
    // hash, and nothing reads them before they match the size and hash the origin records at the
    // end of the upload.
    const counter = createHashingCounter();
    const stopWaiting = new AbortController();
    // The wait for the hash has no deadline while bytes still arrive, because an upload may take
    // longer than the timeout. The deadline starts when the blob's bytes end.
    let deadline = Number.POSITIVE_INFINITY;
    const hashed = waitForPayloadHash(context, deploymentId, () => deadline, stopWaiting.signal);
    // A deployment that ends without a hash (an aborted upload, for one) leaves a blob that never
    // ends, so its read is stopped at once instead of at the idle timeout.
    const stopReading = new AbortController();
    hashed.catch((error: unknown) => stopReading.abort(error));
    try {
      // Harper 4.7's stream of a blob that was still arriving once delivered all 200 MB and then
      // hit the 60 s idle timeout without ending, so the read stops at the recorded size.
      await pipeline(
        streamBlob(blob as HarperBlob, {
          idleTimeoutMs: context.settings.peerReceiveIdleTimeoutMs,
          expectedBytes: hashed.then((row) => row.payload_size as number),
          signal: stopReading.signal,
        }),
        counter,
        createWriteStream(path),
      );
    } catch (error) {
      stopWaiting.abort();
      throw error;
    }
    deadline = Date.now() + context.settings.peerRowTimeoutMs;
    const row = await hashed;
    if (counter.bytes !== row.payload_size) {
      throw new PayloadSizeMismatchError(row.payload_size as number, counter.bytes);
    }
    if (counter.digest() !== row.payload_hash) {
      throw new PayloadHashMismatchError(row.payload_hash as string, counter.digest());
    }
    return { path, bytes: counter.bytes, verifiedAt: Date.now() };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** Waits until the row carries the hash and size the origin writes when the upload ends. */
async function waitForPayloadHash(
  context: NodeContext,
  deploymentId: string,
  deadline: () => number,
  signal: AbortSignal,
): Promise<DeploymentRow> {
  for (;;) {
    signal.throwIfAborted();
    const row = (await context.table.get(deploymentId)) as DeploymentRow | null | undefined;
    if (row && typeof row.payload_hash === 'string' && typeof row.payload_size === 'number')
      return row;
    if (row && isTerminalStatus(row.status)) {
      throw new HttpError(
        409,
        'DEPLOYMENT_ENDED',
        `deployment ${deploymentId} ended ${row.status} on its origin before its upload finished`,
      );
    }
    if (Date.now() > deadline()) {
      throw new HttpError(
        504,
        'PAYLOAD_HASH_MISSING',
        `deployment row ${deploymentId} has no payload hash and size ${context.settings.peerRowTimeoutMs} ms after its blob's bytes ended: the upload on the origin did not finish`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, HASH_POLL_MS));
  }
}

/**
 * Starts a fetch for every deployment row of another origin that replicates to this node while
 * it is running, unless `handled` reports that this node already prepared it. Removes the spool
 * of a deployment that ends before the peer route claims it. Returns a function that stops
 * watching. Does nothing when the table cannot be subscribed.
 */
export async function watchForPayloads(
  context: NodeContext,
  handled: (deploymentId: string) => Promise<boolean>,
): Promise<() => void> {
  if (!context.table.subscribe) return () => undefined;
  const events = await context.table.subscribe({ omitCurrent: true });
  let stopped = false;
  const loop = async (): Promise<void> => {
    for await (const event of events) {
      if (stopped) break;
      const id = (event as { id?: unknown }).id;
      if (typeof id !== 'string') continue;
      try {
        await onRowChange(context, id, handled);
      } catch (error) {
        context.logger.warn(
          `payload fetch for deployment ${id} failed: ${(error as Error).message}`,
        );
      }
    }
  };
  loop().catch((error) => context.logger.error('watching deployment rows failed', error));
  return () => {
    stopped = true;
    (events as { return?: () => unknown }).return?.();
  };
}

async function onRowChange(
  context: NodeContext,
  deploymentId: string,
  handled: (deploymentId: string) => Promise<boolean>,
): Promise<void> {
  const entry = fetches.get(deploymentId);
  if (entry?.claimed) return;
  const row = await context.table.get(deploymentId);
  if (!row || row.origin_node === context.nodeName) return;

  if (isTerminalStatus(row.status)) {
    // The deployment ended before its operation reached this peer, so no peer run reads the spool.
    // The fetch may still run, so the spool is removed once it settles, unless the peer route
    // claimed it by then.
    entry?.payload
      .catch(() => undefined)
      .then(async () => {
        if (!entry.claimed && fetches.get(deploymentId) === entry) {
          await releasePayload(context, deploymentId);
        }
      })
      .catch((error: Error) =>
        context.logger.warn(
          `deployment ${deploymentId} on peer ${context.nodeName}: removing its payload spool failed: ${error.message}`,
        ),
      );
    return;
  }

  if (entry || watcherSkips.has(deploymentId) || row.payload_blob == null) return;
  // A worker that started after this node prepared the deployment gets later row changes too.
  if (await handled(deploymentId)) return;
  // The peer route may have claimed the payload while `handled` ran.
  if (fetches.has(deploymentId) || watcherSkips.has(deploymentId)) return;

  context.logger.info(
    `deployment ${deploymentId} on peer ${context.nodeName}: row arrived, fetching its payload`,
  );
  startFetch(context, deploymentId).payload.catch((error: Error) => {
    watcherSkips.add(deploymentId);
    context.logger.warn(
      `deployment ${deploymentId} on peer ${context.nodeName}: payload fetch failed: ${error.message}`,
    );
  });
}
