import { describe, expect, it } from 'vitest';
import { CoalescedWriter } from './coalesced-writer.js';
import type { DeploymentRow } from './deployment-row.js';
import { flushMicrotasks } from './test-support/memory-deployment-table.js';

interface Deferred {
  row: DeploymentRow;
  resolve(): void;
  reject(error: unknown): void;
}

function baseRow(): DeploymentRow {
  return {
    deployment_id: 'd-1',
    project: 'shop',
    package_identifier: null,
    payload_blob: null,
    payload_hash: null,
    payload_size: null,
    status: 'pending',
    phase: null,
    event_log: [],
    peer_results: [],
    origin_node: 'node-1',
    user: 'admin',
    restart_mode: 'none',
    started_at: 0,
    completed_at: null,
    error: null,
  };
}

function createWriter() {
  const row = baseRow();
  const writes: Deferred[] = [];
  const backgroundErrors: unknown[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const writer = new CoalescedWriter({
    write: (snapshot) =>
      new Promise<void>((resolve, reject) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const settle = (): void => {
          inFlight -= 1;
        };
        writes.push({
          row: snapshot,
          resolve: () => {
            settle();
            resolve();
          },
          reject: (error) => {
            settle();
            reject(error);
          },
        });
      }),
    snapshot: () => ({ ...row }),
    onBackgroundError: (error) => backgroundErrors.push(error),
  });
  return { writer, row, writes, backgroundErrors, maxInFlight: () => maxInFlight };
}

describe('CoalescedWriter', () => {
  it('writes nothing while background writes are disabled', async () => {
    const { writer, writes } = createWriter();

    writer.markChanged();
    await flushMicrotasks();

    expect(writes).toHaveLength(0);
  });

  it('writes pending changes once enabled', async () => {
    const { writer, writes } = createWriter();
    writer.markChanged();

    writer.enableBackgroundWrites();
    await flushMicrotasks();

    expect(writes).toHaveLength(1);
  });

  it('takes the snapshot when the write starts', async () => {
    const { writer, row, writes } = createWriter();
    writer.enableBackgroundWrites();

    writer.markChanged();
    row.payload_size = 10;
    await flushMicrotasks();

    expect(writes[0]?.row.payload_size).toBe(10);
  });

  it('serialises concurrent explicit writes', async () => {
    const { writer, writes, maxInFlight } = createWriter();

    const first = writer.writeNow();
    const second = writer.writeNow();
    const third = writer.writeNow();
    for (let index = 0; index < 3; index += 1) {
      await flushMicrotasks();
      writes[index]?.resolve();
    }
    await Promise.all([first, second, third]);

    expect(writes).toHaveLength(3);
    expect(maxInFlight()).toBe(1);
  });

  it('rejects an explicit write with its error', async () => {
    const { writer, writes } = createWriter();
    const failure = new Error('table unavailable');

    const written = writer.writeNow();
    writes[0]?.reject(failure);

    await expect(written).rejects.toBe(failure);
  });

  it('passes a background failure to onBackgroundError', async () => {
    const { writer, writes, backgroundErrors } = createWriter();
    const failure = new Error('table unavailable');
    writer.enableBackgroundWrites();
    writer.markChanged();
    await flushMicrotasks();

    writes[0]?.reject(failure);
    await flushMicrotasks();

    expect(backgroundErrors).toEqual([failure]);
  });

  it('starts no follow-up write after being disabled', async () => {
    const { writer, writes } = createWriter();
    writer.enableBackgroundWrites();
    writer.markChanged();
    await flushMicrotasks();
    writer.markChanged();

    writer.disableBackgroundWrites();
    writes[0]?.resolve();
    await flushMicrotasks();

    expect(writes).toHaveLength(1);
  });
});
