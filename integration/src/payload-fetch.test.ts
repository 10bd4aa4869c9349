import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeContext } from './context.js';
import type { HarperTable } from './harper.js';
import { componentStore } from './lifecycle/component-store.js';
import { claimPayload, releasePayload, watchForPayloads } from './payload-fetch.js';
import type { DeploymentRow } from './row-types.js';
import { readSettings } from './settings.js';

const PAYLOAD = Buffer.from('a deployment payload, in three chunks of bytes');

/**
 * Returns a blob that yields `bytes` in three chunks and counts how often it was read. With
 * `neverEnds`, its stream then waits forever instead of ending.
 */
function countingBlob(bytes: Buffer, neverEnds = false) {
  const blob = {
    reads: 0,
    size: bytes.length,
    async *stream() {
      blob.reads += 1;
      const third = Math.ceil(bytes.length / 3);
      for (let start = 0; start < bytes.length; start += third) {
        yield bytes.subarray(start, start + third);
      }
      if (neverEnds) await new Promise(() => undefined);
    },
  };
  return blob;
}

/** Returns an async iterable of change events that the test pushes by hand. */
function eventQueue() {
  const waiting: Array<(result: IteratorResult<unknown>) => void> = [];
  const queued: unknown[] = [];
  let ended = false;
  return {
    push(event: unknown) {
      const resolve = waiting.shift();
      if (resolve) resolve({ value: event, done: false });
      else queued.push(event);
    },
    [Symbol.asyncIterator]() {
      return {
        next: () =>
          queued.length > 0
            ? Promise.resolve({ value: queued.shift(), done: false })
            : ended
              ? Promise.resolve({ value: undefined, done: true })
              : new Promise<IteratorResult<unknown>>((resolve) => waiting.push(resolve)),
        return: () => {
          ended = true;
          for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
          return Promise.resolve({ value: undefined, done: true as const });
        },
      };
    },
  };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('payload fetch', () => {
  let rootPath: string;
  let rows: Map<string, Partial<DeploymentRow>>;
  let events: ReturnType<typeof eventQueue>;
  let context: NodeContext;
  let stopWatching: () => void;
  const warnings: string[] = [];
  const handledIds = new Set<string>();

  beforeEach(async () => {
    rootPath = await mkdtemp(join(tmpdir(), 'payload-fetch-'));
    rows = new Map();
    events = eventQueue();
    warnings.length = 0;
    const table: HarperTable<DeploymentRow> = {
      get: (id) => (rows.has(id) ? ({ ...rows.get(id) } as DeploymentRow) : null),
      put: () => undefined,
      search: async function* () {},
      subscribe: async () => events,
    };
    context = {
      server: {} as NodeContext['server'],
      logger: {
        info: () => undefined,
        warn: (message: unknown) => warnings.push(String(message)),
        error: () => undefined,
      },
      table,
      settings: { ...readSettings(), peerRowTimeoutMs: 2_000, peerReceiveIdleTimeoutMs: 2_000 },
      store: componentStore(rootPath),
      nodeName: 'peer-a',
      workerStartedAt: Date.now(),
      isWorker: true,
    };
    stopWatching = await watchForPayloads(context, async (id) => handledIds.has(id));
  });

  afterEach(async () => {
    stopWatching();
    await rm(rootPath, { recursive: true, force: true });
  });

  function addRow(bytes: Buffer, overrides: Partial<DeploymentRow> = {}, neverEnds = false) {
    const id = randomUUID();
    const blob = countingBlob(bytes, neverEnds);
    rows.set(id, {
      deployment_id: id,
      origin_node: 'origin-z',
      status: 'installing',
      payload_blob: blob as unknown as DeploymentRow['payload_blob'],
      payload_size: bytes.length,
      payload_hash: createHash('sha256').update(bytes).digest('hex'),
      ...overrides,
    });
    return { id, blob, spool: join(rootPath, 'deploy-tracking', 'staging', `${id}.tgz`) };
  }

  it('fetches a payload when its row arrives', async () => {
    const { id, blob, spool } = addRow(PAYLOAD);
    events.push({ id, type: 'put' });
    await waitUntil(
      () => existsSync(spool) && readFileSync(spool).length === PAYLOAD.length,
      'the spool',
    );

    const payload = await claimPayload(context, id);

    expect(payload.bytes).toBe(PAYLOAD.length);
    expect(readFileSync(payload.path)).toEqual(PAYLOAD);
    expect(blob.reads).toBe(1);
    await releasePayload(context, id);
    expect(existsSync(spool)).toBe(false);
  });

  it('leaves rows of its own origin alone', async () => {
    const { id, blob } = addRow(PAYLOAD, { origin_node: 'peer-a' });
    events.push({ id, type: 'put' });
    const other = addRow(PAYLOAD);
    events.push({ id: other.id, type: 'put' });
    await waitUntil(() => other.blob.reads === 1, 'the other row');

    expect(blob.reads).toBe(0);
  });

  it('leaves deployments this node already prepared alone', async () => {
    const { id, blob } = addRow(PAYLOAD);
    handledIds.add(id);
    events.push({ id, type: 'put' });
    const other = addRow(PAYLOAD);
    events.push({ id: other.id, type: 'put' });
    await waitUntil(() => other.blob.reads === 1, 'the other row');

    expect(blob.reads).toBe(0);
  });

  it('does not fetch a released payload again', async () => {
    const { id, blob } = addRow(PAYLOAD);
    await claimPayload(context, id);
    await releasePayload(context, id);
    events.push({ id, type: 'put' });
    const other = addRow(PAYLOAD);
    events.push({ id: other.id, type: 'put' });
    await waitUntil(() => other.blob.reads === 1, 'the other row');

    expect(blob.reads).toBe(1);
  });

  it('removes the spool of a deployment that ends unclaimed', async () => {
    const { id, spool } = addRow(PAYLOAD);
    events.push({ id, type: 'put' });
    await waitUntil(() => existsSync(spool), 'the spool');
    rows.set(id, { ...rows.get(id), status: 'failed' });
    events.push({ id, type: 'put' });

    await waitUntil(() => !existsSync(spool), 'the spool to go');
  });

  it('fetches on claim when no row event came', async () => {
    const { id, blob } = addRow(PAYLOAD);

    const payload = await claimPayload(context, id);

    expect(payload.bytes).toBe(PAYLOAD.length);
    expect(blob.reads).toBe(1);
    await releasePayload(context, id);
  });

  it('stops at the recorded size', async () => {
    const { id } = addRow(PAYLOAD, {}, true);

    const payload = await claimPayload(context, id);

    expect(payload.bytes).toBe(PAYLOAD.length);
    expect(readFileSync(payload.path)).toEqual(PAYLOAD);
    await releasePayload(context, id);
  });

  it('waits past the row timeout while bytes arrive', async () => {
    const { id, blob } = addRow(PAYLOAD, { payload_hash: null, payload_size: null });
    const hash = createHash('sha256').update(PAYLOAD).digest('hex');
    const stream = blob.stream;
    // Three chunks 1 s apart outlast the 2 s row timeout, and the hash arrives after 2.5 s.
    blob.stream = async function* () {
      for await (const chunk of stream()) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        yield chunk;
      }
    };
    setTimeout(() => {
      rows.set(id, { ...rows.get(id), payload_hash: hash, payload_size: PAYLOAD.length });
    }, 2_500);

    const payload = await claimPayload(context, id);

    expect(payload.bytes).toBe(PAYLOAD.length);
    await releasePayload(context, id);
  });

  it('stops reading when the deployment ends unfinished', async () => {
    context.settings = { ...context.settings, peerReceiveIdleTimeoutMs: 30_000 };
    const { id, spool } = addRow(PAYLOAD, { payload_hash: null, payload_size: null }, true);
    events.push({ id, type: 'put' });
    await waitUntil(() => existsSync(spool), 'the spool');

    rows.set(id, { ...rows.get(id), status: 'failed', payload_blob: null });
    events.push({ id, type: 'put' });

    await waitUntil(() => !existsSync(spool), 'the spool to go');
    expect(warnings.join('\n')).toContain(
      `deployment ${id} ended failed on its origin before its upload finished`,
    );
  });

  it('reads patiently on the replay after a cut-off copy', async () => {
    const { id } = addRow(PAYLOAD);
    const intact = rows.get(id)?.payload_blob;
    const cutOff = {
      async *stream() {
        yield PAYLOAD.subarray(0, 10);
        throw new Error('Blob is incomplete');
      },
    };
    rows.set(id, {
      ...rows.get(id),
      payload_blob: cutOff as unknown as DeploymentRow['payload_blob'],
    });

    await expect(claimPayload(context, id)).rejects.toThrow('Blob is incomplete');
    await releasePayload(context, id);
    // The origin's second put brings a whole copy while the replay is already reading.
    setTimeout(() => rows.set(id, { ...rows.get(id), payload_blob: intact }), 1_200);
    const payload = await claimPayload(context, id);

    expect(payload.bytes).toBe(PAYLOAD.length);
    await releasePayload(context, id);
  });

  it('rejects a mismatched hash without spool', async () => {
    const { id, spool } = addRow(PAYLOAD, { payload_hash: 'f'.repeat(64) });

    await expect(claimPayload(context, id)).rejects.toThrow(
      /^payload corrupted: sha256 [0-9a-f]{64} does not match f{64}/,
    );
    expect(existsSync(spool)).toBe(false);
  });

  it('retries on claim after an early fetch failed', async () => {
    const { id, blob } = addRow(PAYLOAD, { payload_hash: 'f'.repeat(64) });
    events.push({ id, type: 'put' });
    await waitUntil(() => warnings.some((line) => line.includes(id)), 'the failure warning');
    events.push({ id, type: 'put' });
    rows.set(id, {
      ...rows.get(id),
      payload_hash: createHash('sha256').update(PAYLOAD).digest('hex'),
    });

    const payload = await claimPayload(context, id);

    expect(payload.bytes).toBe(PAYLOAD.length);
    expect(blob.reads).toBe(2);
    await releasePayload(context, id);
  });

  it('fails when the upload never finished', async () => {
    const { id } = addRow(PAYLOAD, { payload_hash: null, payload_size: null, status: 'failed' });

    await expect(claimPayload(context, id)).rejects.toThrow(
      `deployment ${id} ended failed on its origin before its upload finished`,
    );
  });
});
