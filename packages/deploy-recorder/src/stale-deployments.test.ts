import { describe, expect, it } from 'vitest';
import type { EventLogEntry } from './deployment-events.js';
import type { DeploymentRow, DeploymentStatus } from './deployment-row.js';
import {
  DeploymentReadError,
  type DeploymentRecorderError,
  DeploymentWriteError,
} from './errors.js';
import {
  markStaleDeployments,
  ORIGIN_RESTARTED_CODE,
  ORIGIN_RESTARTED_MESSAGE,
} from './stale-deployments.js';
import { MemoryDeploymentTable } from './test-support/memory-deployment-table.js';

const NOW = 1_700_000_000_000;
const MINUTE_MS = 60_000;
const STALE_AFTER_MS = 10 * MINUTE_MS;

function row(id: string, overrides: Partial<DeploymentRow> = {}): DeploymentRow {
  return {
    deployment_id: id,
    project: 'shop',
    package_identifier: null,
    payload_blob: null,
    payload_hash: null,
    payload_size: null,
    status: 'installing',
    phase: 'install',
    event_log: [],
    peer_results: [],
    origin_node: 'node-1',
    user: 'admin',
    restart_mode: 'rolling',
    started_at: NOW - 60 * MINUTE_MS,
    completed_at: null,
    error: null,
    ...overrides,
  };
}

function phaseEntry(id: number, t: number): EventLogEntry {
  return { id, t, event: 'phase', data: { phase: 'install', status: 'start' } };
}

function tableWith(rows: DeploymentRow[]): MemoryDeploymentTable {
  const table = new MemoryDeploymentTable();
  for (const stored of rows) {
    table.rows.set(stored.deployment_id, stored);
  }
  return table;
}

async function mark(
  table: MemoryDeploymentTable,
  rows: DeploymentRow[] | AsyncIterable<DeploymentRow> = [...table.rows.values()],
  overrides: {
    excludeStatuses?: DeploymentStatus[];
    onError?: (error: DeploymentRecorderError) => void;
  } = {},
): Promise<string[]> {
  return markStaleDeployments({
    table,
    rows,
    originNode: 'node-1',
    olderThanMs: STALE_AFTER_MS,
    now: () => NOW,
    ...overrides,
  });
}

describe('markStaleDeployments', () => {
  it('fails a stale row of this node', async () => {
    const table = tableWith([row('a')]);

    const marked = await mark(table);
    const stored = table.stored('a');

    expect(marked).toEqual(['a']);
    expect(stored.status).toBe('failed');
    expect(stored.completed_at).toBe(NOW);
    expect(stored.error).toEqual({
      message: ORIGIN_RESTARTED_MESSAGE,
      code: ORIGIN_RESTARTED_CODE,
      phase: 'install',
    });
  });

  it('appends an error event after the last id', async () => {
    const table = tableWith([
      row('a', {
        event_log: [phaseEntry(1, NOW - 50 * MINUTE_MS), phaseEntry(2, NOW - 40 * MINUTE_MS)],
      }),
    ]);

    await mark(table);

    expect(table.stored('a').event_log.at(-1)).toEqual({
      id: 3,
      t: NOW,
      event: 'error',
      data: { message: ORIGIN_RESTARTED_MESSAGE, code: ORIGIN_RESTARTED_CODE, phase: 'install' },
    });
  });

  it('keeps the other fields', async () => {
    const blob = { size: 10 };
    const table = tableWith([row('a', { payload_blob: blob, project: 'billing' })]);

    await mark(table);

    expect(table.stored('a').payload_blob).toBe(blob);
    expect(table.stored('a').project).toBe('billing');
  });

  it.each(['success', 'failed', 'rolled_back'] as const)('skips a %s row', async (status) => {
    const table = tableWith([row('a', { status })]);

    expect(await mark(table)).toEqual([]);
  });

  it('skips a restarting row by default', async () => {
    const table = tableWith([row('a', { status: 'restarting', phase: 'restart' })]);

    expect(await mark(table)).toEqual([]);
  });

  it('marks a restarting row when excludeStatuses is empty', async () => {
    const table = tableWith([row('a', { status: 'restarting', phase: 'restart' })]);

    expect(await mark(table, undefined, { excludeStatuses: [] })).toEqual(['a']);
  });

  it('skips the rows of other origin nodes', async () => {
    const table = tableWith([row('a', { origin_node: 'node-2' })]);

    expect(await mark(table)).toEqual([]);
  });

  it('skips a row started within olderThanMs', async () => {
    const table = tableWith([row('a', { started_at: NOW - MINUTE_MS })]);

    expect(await mark(table)).toEqual([]);
  });

  it('skips a row with a recent event', async () => {
    const table = tableWith([row('a', { event_log: [phaseEntry(1, NOW - MINUTE_MS)] })]);

    expect(await mark(table)).toEqual([]);
  });

  it('judges the current row rather than the candidate', async () => {
    const table = tableWith([row('a', { status: 'success' })]);

    expect(await mark(table, [row('a')])).toEqual([]);
  });

  it('skips a row that no longer exists', async () => {
    const table = new MemoryDeploymentTable();

    expect(await mark(table, [row('gone')])).toEqual([]);
  });

  it('reads rows from an async iterable', async () => {
    const table = tableWith([row('a'), row('b')]);
    async function* search(): AsyncGenerator<DeploymentRow> {
      yield row('a');
      yield row('b');
    }

    expect(await mark(table, search())).toEqual(['a', 'b']);
  });

  it('reports a failed write and marks the other rows', async () => {
    const table = tableWith([row('a'), row('b')]);
    const errors: DeploymentRecorderError[] = [];
    table.failNextPut(new Error('table unavailable'));

    const marked = await mark(table, undefined, { onError: (error) => errors.push(error) });

    expect(marked).toEqual(['b']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeploymentWriteError);
    expect(errors[0]?.value).toBe('a');
  });

  it('reports a failed read and skips the row', async () => {
    const table = tableWith([row('a')]);
    const errors: DeploymentRecorderError[] = [];
    table.get = () => {
      throw new Error('table unavailable');
    };

    const marked = await mark(table, undefined, { onError: (error) => errors.push(error) });

    expect(marked).toEqual([]);
    expect(errors[0]).toBeInstanceOf(DeploymentReadError);
  });

  it('bounds the event log', async () => {
    const log = Array.from({ length: 5 }, (_, index) =>
      phaseEntry(index + 1, NOW - 30 * MINUTE_MS),
    );
    const table = tableWith([row('a', { event_log: log })]);

    await markStaleDeployments({
      table,
      rows: [...table.rows.values()],
      originNode: 'node-1',
      olderThanMs: STALE_AFTER_MS,
      now: () => NOW,
      maxEvents: 5,
      headEvents: 1,
    });

    expect(table.stored('a').event_log.map((entry) => entry.event)).toEqual([
      'phase',
      'truncated',
      'phase',
      'phase',
      'error',
    ]);
  });

  it.each([
    { argument: 'table', options: { table: null } },
    { argument: 'rows', options: { rows: 5 } },
    { argument: 'originNode', options: { originNode: '' } },
    { argument: 'olderThanMs', options: { olderThanMs: -1 } },
    { argument: 'excludeStatuses', options: { excludeStatuses: 'restarting' } },
  ])('rejects an invalid $argument', async ({ argument, options }) => {
    const valid = {
      table: new MemoryDeploymentTable(),
      rows: [],
      originNode: 'node-1',
      olderThanMs: 0,
    };

    await expect(markStaleDeployments({ ...valid, ...options } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      argument,
    });
  });
});
