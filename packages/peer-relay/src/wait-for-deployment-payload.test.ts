import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidDeploymentIdError,
  InvalidTimeoutError,
  PayloadBlobMissingError,
  RowNotFoundError,
} from './errors.js';
import type { PayloadBlob } from './payload-blob.js';
import { waitForDeploymentPayload } from './wait-for-deployment-payload.js';

interface TestRow {
  id: string;
  payload_blob?: PayloadBlob | null;
}

const blob: PayloadBlob = { size: 3, stream: () => new ReadableStream<Uint8Array>() };

/** Table whose row and blob appear at given times, measured from the fake clock's start. */
function createReplicatingTable(arrivals: { rowAtMs?: number; blobAtMs?: number }) {
  const startedAt = Date.now();
  const reads: number[] = [];
  const table = {
    get(id: string): Promise<TestRow | null> {
      const elapsedMs = Date.now() - startedAt;
      reads.push(elapsedMs);
      const { rowAtMs, blobAtMs } = arrivals;
      if (rowAtMs === undefined || elapsedMs < rowAtMs) return Promise.resolve(null);
      const hasBlob = blobAtMs !== undefined && elapsedMs >= blobAtMs;
      return Promise.resolve({ id, payload_blob: hasBlob ? blob : null });
    },
  };
  return { table, reads };
}

/** Attaches a handler at once so that a rejection during fake-time advances is not unhandled. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('waitForDeploymentPayload', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns at once when row and blob are present', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 0, blobAtMs: 0 });

    const payload = await waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 0 });

    expect(payload.blob).toBe(blob);
  });

  it('accepts a table whose get is synchronous', async () => {
    const table = { get: (id: string): TestRow => ({ id, payload_blob: blob }) };

    const payload = await waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 0 });

    expect(payload.row.id).toBe('dep-1');
  });

  it('waits for a row that arrives late', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 1_500, blobAtMs: 1_500 });
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 5_000 }),
    );

    await vi.advanceTimersByTimeAsync(5_000);

    expect((await result).value?.row.id).toBe('dep-1');
  });

  it('waits for a blob that arrives after its row', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 100, blobAtMs: 3_000 });
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 5_000 }),
    );

    await vi.advanceTimersByTimeAsync(5_000);

    expect((await result).value?.blob).toBe(blob);
  });

  it('missing row rejects with RowNotFoundError', async () => {
    const { table } = createReplicatingTable({});
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 2_000 }),
    );

    await vi.advanceTimersByTimeAsync(2_000);

    expect((await result).error).toBeInstanceOf(RowNotFoundError);
  });

  it('names the row and deadline in RowNotFoundError', async () => {
    const { table } = createReplicatingTable({});
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-7', timeoutMs: 2_000 }),
    );

    await vi.advanceTimersByTimeAsync(2_000);

    expect((await result).error).toMatchObject({
      code: 'ROW_NOT_FOUND',
      deploymentId: 'dep-7',
      timeoutMs: 2_000,
      message: expect.stringMatching(
        /^deployment row dep-7 did not arrive by replication within 2000 ms/,
      ),
    });
  });

  it('missing blob rejects with PayloadBlobMissingError', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 500 });
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 2_000 }),
    );

    await vi.advanceTimersByTimeAsync(2_000);

    expect((await result).error).toBeInstanceOf(PayloadBlobMissingError);
  });

  it('PayloadBlobMissingError message names the blob', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 500 });
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 2_000 }),
    );

    await vi.advanceTimersByTimeAsync(2_000);

    expect((await result).error).toMatchObject({
      code: 'PAYLOAD_BLOB_MISSING',
      message: expect.stringContaining('arrived but its payload_blob did not arrive'),
    });
  });

  it('finds a blob arriving at the deadline', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 0, blobAtMs: 2_000 });
    const result = settle(
      waitForDeploymentPayload({ table, deploymentId: 'dep-1', timeoutMs: 2_000 }),
    );

    await vi.advanceTimersByTimeAsync(2_000);

    expect((await result).value?.blob).toBe(blob);
  });

  it('doubles the poll interval up to the maximum', async () => {
    const { table, reads } = createReplicatingTable({});
    const result = settle(
      waitForDeploymentPayload({
        table,
        deploymentId: 'dep-1',
        timeoutMs: 3_000,
        pollIntervalMs: 100,
        maxPollIntervalMs: 800,
      }),
    );

    await vi.advanceTimersByTimeAsync(3_000);
    await result;

    expect(reads).toEqual([0, 100, 300, 700, 1_500, 2_300, 3_000]);
  });

  it('stops with the signal reason when aborted', async () => {
    const { table } = createReplicatingTable({});
    const controller = new AbortController();
    const result = settle(
      waitForDeploymentPayload({
        table,
        deploymentId: 'dep-1',
        timeoutMs: 60_000,
        signal: controller.signal,
      }),
    );

    await vi.advanceTimersByTimeAsync(250);
    const reason = new Error('deploy cancelled');
    controller.abort(reason);

    expect((await result).error).toBe(reason);
  });

  it.each([
    ['a string', '5000'],
    ['a negative number', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
  ])('rejects timeoutMs given as %s', async (_label, timeoutMs) => {
    const { table } = createReplicatingTable({ rowAtMs: 0, blobAtMs: 0 });
    const options = { table, deploymentId: 'dep-1', timeoutMs: timeoutMs as number };

    await expect(waitForDeploymentPayload(options)).rejects.toBeInstanceOf(InvalidTimeoutError);
  });

  it('names the invalid timeout value in the error', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 0, blobAtMs: 0 });
    const options = { table, deploymentId: 'dep-1', timeoutMs: -5 };

    await expect(waitForDeploymentPayload(options)).rejects.toMatchObject({
      code: 'INVALID_TIMEOUT',
      option: 'timeoutMs',
      value: -5,
      message: expect.stringContaining('got number -5'),
    });
  });

  it('rejects a zero poll interval', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 0, blobAtMs: 0 });
    const options = { table, deploymentId: 'dep-1', timeoutMs: 100, pollIntervalMs: 0 };

    await expect(waitForDeploymentPayload(options)).rejects.toBeInstanceOf(InvalidTimeoutError);
  });

  it('rejects an empty deployment id', async () => {
    const { table } = createReplicatingTable({ rowAtMs: 0, blobAtMs: 0 });
    const options = { table, deploymentId: '', timeoutMs: 100 };

    await expect(waitForDeploymentPayload(options)).rejects.toBeInstanceOf(
      InvalidDeploymentIdError,
    );
  });
});
