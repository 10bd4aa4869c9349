import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { EventLogEntry } from './deployment-events.js';
import { DEFAULT_FAILURE_CODE, DeploymentRecorder } from './deployment-recorder.js';
import type { DeploymentRow, DeploymentStatus } from './deployment-row.js';
import { TERMINAL_STATUSES } from './deployment-status.js';
import type { DeploymentTable } from './deployment-table.js';
import {
  type DeploymentRecorderError,
  DeploymentWriteError,
  InvalidArgumentError,
  InvalidRecorderStateError,
  InvalidTerminalStatusError,
  SubscriberError,
} from './errors.js';
import type { DeploymentRecorderOptions } from './recorder-options.js';
import { flushMicrotasks, MemoryDeploymentTable } from './test-support/memory-deployment-table.js';

const DEPLOYMENT_ID = '3f1c2a9e-8b7d-4c6e-9a5f-1b2c3d4e5f60';
const START_TIME = 1_700_000_000_000;
const PAYLOAD_HASH = 'a'.repeat(64);

class ManualClock {
  time = START_TIME;
  readonly now = (): number => this.time;

  advance(ms: number): void {
    this.time += ms;
  }
}

interface Harness {
  recorder: DeploymentRecorder;
  table: MemoryDeploymentTable;
  clock: ManualClock;
  errors: DeploymentRecorderError[];
}

function createHarness(
  options: Partial<DeploymentRecorderOptions> & { mode?: 'immediate' | 'manual' } = {},
): Harness {
  const { mode, ...overrides } = options;
  const table = new MemoryDeploymentTable({ mode });
  const clock = new ManualClock();
  const errors: DeploymentRecorderError[] = [];
  const recorder = new DeploymentRecorder({
    table,
    deploymentId: DEPLOYMENT_ID,
    project: 'shop',
    originNode: 'node-1',
    user: 'admin',
    restartMode: 'rolling',
    now: clock.now,
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return { recorder, table, clock, errors };
}

async function startedHarness(options: Partial<DeploymentRecorderOptions> = {}): Promise<Harness> {
  const harness = createHarness(options);
  await harness.recorder.start();
  return harness;
}

function emitInstallLine(recorder: DeploymentRecorder, line: string): EventLogEntry | undefined {
  return recorder.emit('install', { manager: 'npm', stream: 'stdout', line });
}

/** Completes the newest pending put first until `done` settles, and returns its outcome. */
async function completeNewestFirst<T>(table: MemoryDeploymentTable, done: Promise<T>): Promise<T> {
  let settled = false;
  const outcome = done.finally(() => {
    settled = true;
  });
  while (!settled) {
    await flushMicrotasks();
    const newest = table.pending.at(-1);
    newest?.complete();
  }
  return outcome;
}

describe('DeploymentRecorder', () => {
  describe('constructor', () => {
    it.each([
      { argument: 'table', overrides: { table: {} as DeploymentTable } },
      { argument: 'deploymentId', overrides: { deploymentId: '' } },
      { argument: 'project', overrides: { project: 42 as unknown as string } },
      { argument: 'originNode', overrides: { originNode: '' } },
      { argument: 'user', overrides: { user: undefined as unknown as string } },
      { argument: 'restartMode', overrides: { restartMode: 'later' as 'none' } },
      { argument: 'packageIdentifier', overrides: { packageIdentifier: 7 as unknown as string } },
      { argument: 'now', overrides: { now: 5 as unknown as () => number } },
      { argument: 'maxEvents', overrides: { maxEvents: 3, headEvents: 2 } },
      { argument: 'headEvents', overrides: { headEvents: -1 } },
    ])('rejects an invalid $argument', ({ argument, overrides }) => {
      expect(() => createHarness(overrides)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument }),
      );
    });

    it('accepts a table that is a function', () => {
      // A Harper table is a class, so typeof reports a function with static get and put.
      const Table = Object.assign(function Table() {}, {
        get: (): undefined => undefined,
        put: (): void => {},
      });

      expect(() => createHarness({ table: Table })).not.toThrow();
    });
  });

  describe('start', () => {
    it('writes the initial pending row', async () => {
      const { table } = await startedHarness({ packageIdentifier: 'npm:shop@1.2.0' });
      const stored = table.stored(DEPLOYMENT_ID);

      expect(stored.status).toBe('pending');
      expect(stored.deployment_id).toBe(DEPLOYMENT_ID);
      expect(stored.project).toBe('shop');
      expect(stored.package_identifier).toBe('npm:shop@1.2.0');
      expect(stored.origin_node).toBe('node-1');
      expect(stored.user).toBe('admin');
      expect(stored.restart_mode).toBe('rolling');
      expect(stored.started_at).toBe(START_TIME);
      expect(stored.completed_at).toBeNull();
      expect(stored.error).toBeNull();
      expect(stored.event_log).toEqual([]);
      expect(stored.peer_results).toEqual([]);
    });

    it('applies the fields it is given', async () => {
      const { recorder, table } = createHarness();

      await recorder.start({ payload_hash: PAYLOAD_HASH, payload_size: 512 });

      expect(table.stored(DEPLOYMENT_ID).payload_hash).toBe(PAYLOAD_HASH);
      expect(table.stored(DEPLOYMENT_ID).payload_size).toBe(512);
    });

    it('writes nothing before it is called', async () => {
      const { recorder, table } = createHarness();

      emitInstallLine(recorder, 'early');
      await flushMicrotasks();

      expect(table.puts).toHaveLength(0);
    });

    it('includes events emitted before it', async () => {
      const { recorder, table } = createHarness();
      emitInstallLine(recorder, 'early');

      await recorder.start();

      expect(table.stored(DEPLOYMENT_ID).event_log).toHaveLength(1);
    });

    it('rejects a second call', async () => {
      const { recorder } = await startedHarness();

      await expect(recorder.start()).rejects.toBeInstanceOf(InvalidRecorderStateError);
    });

    it('rejects a call after finish', async () => {
      const { recorder } = createHarness();
      await recorder.finish({ status: 'success' });

      await expect(recorder.start()).rejects.toMatchObject({ value: 'finished' });
    });

    it('rejects with DeploymentWriteError when the write fails', async () => {
      const { recorder, table } = createHarness();
      const cause = new Error('table unavailable');
      table.failNextPut(cause);

      await expect(recorder.start()).rejects.toMatchObject({
        code: 'ERR_DEPLOYMENT_WRITE',
        value: DEPLOYMENT_ID,
        cause,
      });
    });
  });

  describe('status', () => {
    it.each([
      { phase: 'extract', status: 'extracting' },
      { phase: 'install', status: 'installing' },
      { phase: 'load', status: 'loading' },
      { phase: 'replicate', status: 'replicating' },
      { phase: 'restart', status: 'restarting' },
    ])('moves to $status when $phase starts', async ({ phase, status }) => {
      const { recorder } = await startedHarness();

      recorder.emit('phase', { phase, status: 'start' });

      expect(recorder.status).toBe(status);
    });

    it('follows the phases in order', async () => {
      const { recorder } = await startedHarness();
      const seen: DeploymentStatus[] = [];

      for (const phase of ['extract', 'install', 'load', 'replicate', 'restart']) {
        recorder.emit('phase', { phase, status: 'start' });
        seen.push(recorder.status);
        recorder.emit('phase', { phase, status: 'done' });
      }

      expect(seen).toEqual(['extracting', 'installing', 'loading', 'replicating', 'restarting']);
    });

    it('stays unchanged when a phase is done', async () => {
      const { recorder } = await startedHarness();
      recorder.emit('phase', { phase: 'install', status: 'start' });

      recorder.emit('phase', { phase: 'install', status: 'done' });

      expect(recorder.status).toBe('installing');
    });

    it('stays unchanged for an unknown phase', async () => {
      const { recorder } = await startedHarness();

      recorder.emit('phase', { phase: 'verify', status: 'start' });

      expect(recorder.status).toBe('pending');
    });

    it('stays unchanged for other events', async () => {
      const { recorder } = await startedHarness();

      recorder.emit('error', {
        message: 'npm exited with 1',
        code: 'INSTALL_FAILED',
        phase: 'install',
      });

      expect(recorder.status).toBe('pending');
    });

    it('records the last phase seen', async () => {
      const { recorder } = await startedHarness();
      recorder.emit('phase', { phase: 'install', status: 'start' });

      recorder.emit('phase', { phase: 'verify', status: 'error', message: 'hash mismatch' });

      expect(recorder.row.phase).toBe('verify');
    });

    it('reaches the stored row', async () => {
      const { recorder, table } = await startedHarness();

      recorder.emit('phase', { phase: 'extract', status: 'start' });
      await flushMicrotasks();

      expect(table.stored(DEPLOYMENT_ID).status).toBe('extracting');
    });
  });

  describe('emit', () => {
    it('numbers events from 1', async () => {
      const { recorder } = await startedHarness();

      const ids = ['a', 'b', 'c'].map((line) => emitInstallLine(recorder, line)?.id);

      expect(ids).toEqual([1, 2, 3]);
    });

    it('stamps events with the clock', async () => {
      const { recorder, clock } = await startedHarness();
      clock.advance(250);

      const entry = emitInstallLine(recorder, 'added 12 packages');

      expect(entry?.t).toBe(START_TIME + 250);
    });

    it('returns the appended entry', async () => {
      const { recorder } = await startedHarness();

      const entry = recorder.emit('warning', { message: 'engine mismatch', package: 'left-pad' });

      expect(recorder.row.event_log.at(-1)).toEqual(entry);
    });

    it('copies the event data', async () => {
      const { recorder } = await startedHarness();
      const data = { message: 'first' };

      recorder.emit('warning', data);
      data.message = 'changed';

      expect(recorder.row.event_log[0]?.data).toEqual({ message: 'first' });
    });

    it.each([
      { argument: 'event', event: 'truncated', data: { dropped_events: 1 } },
      { argument: 'event', event: 'progress', data: {} },
      { argument: 'data', event: 'install', data: null },
      { argument: 'data.phase', event: 'phase', data: { phase: '', status: 'start' } },
      { argument: 'data.status', event: 'phase', data: { phase: 'install', status: 'begin' } },
    ])('rejects $argument for event $event', async ({ argument, event, data }) => {
      const { recorder } = await startedHarness();
      const emitUnchecked = recorder.emit.bind(recorder) as (
        event: string,
        data: unknown,
      ) => unknown;

      expect(() => emitUnchecked(event, data)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument }),
      );
    });

    it('bounds the log with maxEvents and headEvents', async () => {
      const { recorder } = await startedHarness({ maxEvents: 6, headEvents: 2 });

      for (let index = 1; index <= 10; index += 1) {
        emitInstallLine(recorder, `line ${index}`);
      }
      const log = recorder.row.event_log;

      expect(log.map((entry) => entry.id)).toEqual([1, 2, 7, 8, 9, 10]);
      expect(log[2]).toMatchObject({ event: 'truncated', data: { dropped_events: 5 } });
    });
  });

  describe('finish', () => {
    it('sets completed_at exactly when the row becomes terminal', async () => {
      const { recorder, clock } = await startedHarness();
      recorder.emit('phase', { phase: 'restart', status: 'start' });
      clock.advance(1_000);
      const beforeFinish = recorder.row.completed_at;

      const finalRow = await recorder.finish({ status: 'success' });

      expect(beforeFinish).toBeNull();
      expect(finalRow.completed_at).toBe(START_TIME + 1_000);
    });

    it('keeps completed_at null on every intermediate write', async () => {
      const { recorder, table } = await startedHarness();

      for (const phase of ['extract', 'install', 'load']) {
        recorder.emit('phase', { phase, status: 'start' });
        await flushMicrotasks();
      }
      await recorder.finish({ status: 'success' });
      const intermediate = table.puts.slice(0, -1);

      expect(intermediate.length).toBeGreaterThan(1);
      expect(intermediate.every((row) => row.completed_at === null)).toBe(true);
    });

    it.each([
      'pending',
      'extracting',
      'installing',
      'loading',
      'replicating',
      'restarting',
      'done',
    ])('rejects the non-terminal status %s', async (status) => {
      const { recorder } = await startedHarness();

      await expect(recorder.finish({ status: status as 'success' })).rejects.toBeInstanceOf(
        InvalidTerminalStatusError,
      );
    });

    it('leaves the recorder running after a rejected status', async () => {
      const { recorder } = await startedHarness();

      await recorder.finish({ status: 'restarting' as 'success' }).catch(() => undefined);

      expect(recorder.finished).toBe(false);
    });

    it('stores the error of a failed deployment', async () => {
      const { recorder, table } = await startedHarness();
      const error = { message: 'npm exited with 1', code: 'INSTALL_FAILED', phase: 'install' };

      await recorder.finish({ status: 'failed', error });

      expect(table.stored(DEPLOYMENT_ID).status).toBe('failed');
      expect(table.stored(DEPLOYMENT_ID).error).toEqual(error);
    });

    it('stores a default error when a failure has none', async () => {
      const { recorder } = await startedHarness();
      recorder.emit('phase', { phase: 'load', status: 'start' });

      const finalRow = await recorder.finish({ status: 'failed' });

      expect(finalRow.error).toEqual({
        message: 'the deployment failed',
        code: DEFAULT_FAILURE_CODE,
        phase: 'load',
      });
    });

    it('stores no error on success', async () => {
      const { recorder } = await startedHarness();

      const finalRow = await recorder.finish({ status: 'success' });

      expect(finalRow.error).toBeNull();
    });

    it('writes the terminal row once', async () => {
      const { recorder, table } = await startedHarness();
      emitInstallLine(recorder, 'added 3 packages');
      await flushMicrotasks();
      const putsBefore = table.puts.length;

      await recorder.finish({ status: 'success' });
      await flushMicrotasks();

      expect(table.puts.length - putsBefore).toBe(1);
    });

    it('returns the same row on a second call without writing', async () => {
      const { recorder, table, clock } = await startedHarness();
      const first = await recorder.finish({ status: 'rolled_back' });
      const putsAfterFirst = table.puts.length;
      clock.advance(5_000);

      const second = await recorder.finish({ status: 'success' });

      expect(second).toEqual(first);
      expect(table.puts).toHaveLength(putsAfterFirst);
    });

    it('includes peer results in the terminal write', async () => {
      const { recorder, table } = await startedHarness();
      recorder.seal();
      recorder.recordPeers([{ node: 'node-2', status: 'success', completed_at: 9 }]);

      await recorder.finish({ status: 'success' });

      expect(table.stored(DEPLOYMENT_ID).peer_results).toEqual([
        { node: 'node-2', status: 'success', error: null, started_at: null, completed_at: 9 },
      ]);
    });

    it('ignores emit, update and recordPeers afterwards', async () => {
      const { recorder, table } = await startedHarness();
      const finalRow = await recorder.finish({ status: 'success' });
      const putsAfterFinish = table.puts.length;

      const entry = emitInstallLine(recorder, 'late line');
      recorder.update({ payload_size: 10 });
      recorder.recordPeers([{ node: 'node-9', status: 'failed' }]);
      await flushMicrotasks();

      expect(entry).toBeUndefined();
      expect(recorder.row).toEqual(finalRow);
      expect(table.puts).toHaveLength(putsAfterFinish);
    });

    it('emits no event itself', async () => {
      const { recorder } = await startedHarness();
      const onEvent = vi.fn();
      recorder.subscribe({ onEvent });

      await recorder.finish({ status: 'success' });

      expect(onEvent).not.toHaveBeenCalled();
    });

    it('waits for the write in flight', async () => {
      const { recorder, table } = createHarness({ mode: 'manual' });
      const started = recorder.start();
      emitInstallLine(recorder, 'line');

      const finished = recorder.finish({ status: 'success' });
      await flushMicrotasks();

      expect(table.pending).toHaveLength(1);
      expect(table.pending[0]?.row.status).toBe('pending');

      table.pending[0]?.complete();
      await started;
      await flushMicrotasks();

      expect(table.pending).toHaveLength(1);
      expect(table.pending[0]?.row.status).toBe('success');

      table.pending[0]?.complete();
      await finished;
    });

    it('retries the terminal write after a failure', async () => {
      const { recorder, table } = await startedHarness();
      table.failNextPut(new Error('disk full'));

      await expect(recorder.finish({ status: 'success' })).rejects.toBeInstanceOf(
        DeploymentWriteError,
      );
      const retried = await recorder.finish({ status: 'success' });

      expect(retried.status).toBe('success');
      expect(table.stored(DEPLOYMENT_ID).status).toBe('success');
    });
  });

  describe('fail', () => {
    it('emits an error event', async () => {
      const { recorder } = await startedHarness();

      await recorder.fail({
        message: 'npm exited with 1',
        code: 'INSTALL_FAILED',
        phase: 'install',
      });

      expect(recorder.row.event_log.at(-1)).toMatchObject({
        event: 'error',
        data: { message: 'npm exited with 1', code: 'INSTALL_FAILED', phase: 'install' },
      });
    });

    it('finishes the row as failed with the error', async () => {
      const { recorder, table } = await startedHarness();

      await recorder.fail({
        message: 'npm exited with 1',
        code: 'INSTALL_FAILED',
        phase: 'install',
      });

      expect(table.stored(DEPLOYMENT_ID).status).toBe('failed');
      expect(table.stored(DEPLOYMENT_ID).error).toEqual({
        message: 'npm exited with 1',
        code: 'INSTALL_FAILED',
        phase: 'install',
      });
    });

    it('takes the phase from the row when none is given', async () => {
      const { recorder } = await startedHarness();
      recorder.emit('phase', { phase: 'load', status: 'start' });

      const finalRow = await recorder.fail({
        message: 'component did not load',
        code: 'LOAD_FAILED',
      });

      expect(finalRow.error?.phase).toBe('load');
    });

    it('emits nothing after finish', async () => {
      const { recorder } = await startedHarness();
      const finalRow = await recorder.finish({ status: 'success' });

      const again = await recorder.fail({ message: 'late', code: 'LATE' });

      expect(again).toEqual(finalRow);
    });

    it('rejects details without a code', async () => {
      const { recorder } = await startedHarness();

      await expect(recorder.fail({ message: 'broken', code: '' })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    });
  });

  describe('write coalescing', () => {
    it('writes a synchronous burst once', async () => {
      const { recorder, table } = await startedHarness();
      const putsAfterStart = table.puts.length;

      for (let index = 0; index < 50; index += 1) {
        emitInstallLine(recorder, `line ${index}`);
      }
      await flushMicrotasks();

      expect(table.puts.length - putsAfterStart).toBe(1);
    });

    it('folds changes during a write into one follow-up write', async () => {
      const { recorder, table } = createHarness({ mode: 'manual' });
      const started = recorder.start();
      await flushMicrotasks();

      for (let index = 1; index <= 5; index += 1) {
        emitInstallLine(recorder, `line ${index}`);
        await flushMicrotasks();
      }
      recorder.update({ payload_size: 2_048 });

      expect(table.puts).toHaveLength(1);

      table.pending[0]?.complete();
      await started;
      await flushMicrotasks();

      expect(table.puts).toHaveLength(2);
      expect(table.puts[1]?.event_log).toHaveLength(5);
      expect(table.puts[1]?.payload_size).toBe(2_048);

      table.pending[0]?.complete();
      await flushMicrotasks();

      expect(table.puts).toHaveLength(2);
    });

    it('keeps at most one write in flight', async () => {
      const { recorder, table } = createHarness({ mode: 'manual' });
      const started = recorder.start();

      for (let index = 0; index < 20; index += 1) {
        emitInstallLine(recorder, `line ${index}`);
        await flushMicrotasks();
        table.pending[0]?.complete();
      }
      await started;

      expect(table.maxConcurrentPuts).toBe(1);
    });

    it('reports a failed write through onError', async () => {
      const { recorder, table, errors } = await startedHarness();
      const cause = new Error('table unavailable');
      table.failNextPut(cause);

      emitInstallLine(recorder, 'line');
      await flushMicrotasks();

      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(DeploymentWriteError);
      expect(errors[0]?.cause).toBe(cause);
    });

    it('keeps writing after a failed write', async () => {
      const { recorder, table } = await startedHarness();
      table.failNextPut(new Error('table unavailable'));
      emitInstallLine(recorder, 'first');
      await flushMicrotasks();

      emitInstallLine(recorder, 'second');
      await flushMicrotasks();

      expect(table.stored(DEPLOYMENT_ID).event_log).toHaveLength(2);
    });

    it('ignores an onError callback that throws', async () => {
      const { recorder, table } = await startedHarness({
        onError: () => {
          throw new Error('callback failed');
        },
      });
      table.failNextPut(new Error('table unavailable'));

      emitInstallLine(recorder, 'line');
      await flushMicrotasks();

      expect(table.puts.at(-1)?.event_log).toHaveLength(1);
    });
  });

  describe('seal', () => {
    it('stops background writes', async () => {
      const { recorder, table } = await startedHarness();
      const putsBeforeSeal = table.puts.length;

      recorder.seal();
      recorder.emit('phase', { phase: 'replicate', status: 'start' });
      recorder.recordPeers([{ node: 'node-2', status: 'success' }]);
      await flushMicrotasks();

      expect(recorder.sealed).toBe(true);
      expect(table.puts).toHaveLength(putsBeforeSeal);
    });

    it('stops a write queued before it', async () => {
      const { recorder, table } = await startedHarness();
      const putsBeforeSeal = table.puts.length;

      emitInstallLine(recorder, 'queued');
      recorder.seal();
      await flushMicrotasks();

      expect(table.puts).toHaveLength(putsBeforeSeal);
    });

    it('still lets checkpoint write once', async () => {
      const { recorder, table } = await startedHarness();
      recorder.seal();
      recorder.emit('phase', { phase: 'restart', status: 'start' });
      recorder.recordPeers([{ node: 'node-2', status: 'success' }]);
      const putsBeforeCheckpoint = table.puts.length;

      await recorder.checkpoint();
      await flushMicrotasks();

      expect(table.puts.length - putsBeforeCheckpoint).toBe(1);
      expect(table.stored(DEPLOYMENT_ID).status).toBe('restarting');
      expect(table.stored(DEPLOYMENT_ID).peer_results).toHaveLength(1);
    });

    it('blocks background writes after start when sealed first', async () => {
      const { recorder, table } = createHarness();
      recorder.seal();
      await recorder.start();

      emitInstallLine(recorder, 'line');
      await flushMicrotasks();

      expect(table.puts).toHaveLength(1);
    });
  });

  describe('checkpoint', () => {
    it('waits for the write in flight', async () => {
      const { recorder, table } = createHarness({ mode: 'manual' });
      const started = recorder.start();
      recorder.seal();
      recorder.emit('phase', { phase: 'restart', status: 'start' });

      const checkpointed = recorder.checkpoint();
      await flushMicrotasks();

      expect(table.pending).toHaveLength(1);

      table.pending[0]?.complete();
      await started;
      await flushMicrotasks();
      table.pending[0]?.complete();
      await checkpointed;

      expect(table.stored(DEPLOYMENT_ID).status).toBe('restarting');
    });

    it('rejects when the write fails', async () => {
      const { recorder, table } = await startedHarness();
      table.failNextPut(new Error('table unavailable'));

      await expect(recorder.checkpoint()).rejects.toBeInstanceOf(DeploymentWriteError);
    });

    it('does nothing after finish', async () => {
      const { recorder, table } = await startedHarness();
      await recorder.finish({ status: 'success' });
      const putsAfterFinish = table.puts.length;

      await recorder.checkpoint();

      expect(table.puts).toHaveLength(putsAfterFinish);
    });
  });

  describe('out-of-order write completion', () => {
    it('leaves the terminal row stored when newer writes complete first', async () => {
      const { recorder, table } = createHarness({ mode: 'manual' });
      const started = recorder.start();
      for (const phase of ['extract', 'install', 'load']) {
        recorder.emit('phase', { phase, status: 'start' });
        await flushMicrotasks();
      }
      recorder.seal();
      recorder.emit('phase', { phase: 'replicate', status: 'start' });
      recorder.recordPeers([{ node: 'node-2', status: 'success' }]);
      const checkpointed = recorder.checkpoint();
      const finished = recorder.finish({ status: 'success' });

      const finalRow = await completeNewestFirst(table, finished);
      await started;
      await checkpointed;

      expect(table.maxConcurrentPuts).toBe(1);
      expect(table.stored(DEPLOYMENT_ID).status).toBe('success');
      expect(table.stored(DEPLOYMENT_ID)).toEqual(finalRow);
    });

    it('ends with the terminal row for any completion order', async () => {
      type Operation =
        | { kind: 'emit'; phase: string }
        | { kind: 'install' }
        | { kind: 'update'; size: number }
        | { kind: 'peers'; node: string; ok: boolean }
        | { kind: 'seal' }
        | { kind: 'checkpoint' }
        | { kind: 'flush' }
        | { kind: 'resolve' };
      const operation: fc.Arbitrary<Operation> = fc.oneof(
        fc.record({
          kind: fc.constant('emit' as const),
          phase: fc.constantFrom('extract', 'install', 'load', 'replicate', 'restart'),
        }),
        fc.constant({ kind: 'install' as const }),
        fc.record({ kind: fc.constant('update' as const), size: fc.nat() }),
        fc.record({
          kind: fc.constant('peers' as const),
          node: fc.constantFrom('node-2', 'node-3'),
          ok: fc.boolean(),
        }),
        fc.constant({ kind: 'seal' as const }),
        fc.constant({ kind: 'checkpoint' as const }),
        fc.constant({ kind: 'flush' as const }),
        fc.constant({ kind: 'resolve' as const }),
      );

      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(operation, { maxLength: 40 }),
          fc.constantFrom(...TERMINAL_STATUSES),
          async (scheduler, operations, status) => {
            const stored = new Map<string, DeploymentRow>();
            let inFlight = 0;
            let maxInFlight = 0;
            const table: DeploymentTable = {
              get: (id) => stored.get(id),
              put: async (id, row) => {
                inFlight += 1;
                maxInFlight = Math.max(maxInFlight, inFlight);
                await scheduler.schedule(Promise.resolve(), `put ${row.status}`);
                inFlight -= 1;
                stored.set(id, row);
              },
            };
            const recorder = new DeploymentRecorder({
              table,
              deploymentId: DEPLOYMENT_ID,
              project: 'shop',
              originNode: 'node-1',
              user: 'admin',
              restartMode: 'rolling',
              now: () => START_TIME,
            });

            const explicitWrites: Promise<void>[] = [recorder.start()];
            for (const step of operations) {
              if (step.kind === 'emit') {
                recorder.emit('phase', { phase: step.phase, status: 'start' });
              } else if (step.kind === 'install') {
                emitInstallLine(recorder, 'line');
              } else if (step.kind === 'update') {
                recorder.update({ payload_size: step.size });
              } else if (step.kind === 'peers') {
                recorder.recordPeers([{ node: step.node, status: step.ok ? 'success' : 'failed' }]);
              } else if (step.kind === 'seal') {
                recorder.seal();
              } else if (step.kind === 'checkpoint') {
                explicitWrites.push(recorder.checkpoint());
              } else if (step.kind === 'flush') {
                // Lets queued background writes start without completing any put.
                await flushMicrotasks();
              } else if (scheduler.count() > 0) {
                await scheduler.waitNext(1);
              }
            }
            const finalRow = await scheduler.waitFor(recorder.finish({ status }));
            await scheduler.waitIdle();
            await Promise.all(explicitWrites);

            expect(maxInFlight).toBe(1);
            expect(stored.get(DEPLOYMENT_ID)?.status).toBe(status);
            expect(stored.get(DEPLOYMENT_ID)).toEqual(finalRow);
          },
        ),
      );
    });
  });

  describe('subscribe', () => {
    it('passes each event synchronously', async () => {
      const { recorder } = await startedHarness();
      const received: EventLogEntry[] = [];
      recorder.subscribe({ onEvent: (entry) => received.push(entry) });

      const entry = emitInstallLine(recorder, 'line');

      expect(received).toEqual([entry]);
    });

    it('passes events that the log truncates', async () => {
      const { recorder } = await startedHarness({ maxEvents: 4, headEvents: 1 });
      const received: number[] = [];
      recorder.subscribe({ onEvent: (entry) => received.push(entry.id) });

      for (let index = 0; index < 8; index += 1) {
        emitInstallLine(recorder, `line ${index}`);
      }

      expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it('passes the final row once', async () => {
      const { recorder } = await startedHarness();
      const onFinish = vi.fn();
      recorder.subscribe({ onFinish });

      const finalRow = await recorder.finish({ status: 'success' });
      await recorder.finish({ status: 'success' });

      expect(onFinish).toHaveBeenCalledTimes(1);
      expect(onFinish).toHaveBeenCalledWith(finalRow);
    });

    it('passes the final row after the terminal write', async () => {
      const { recorder, table } = await startedHarness();
      let storedStatusAtFinish: DeploymentStatus | undefined;
      recorder.subscribe({
        onFinish: () => {
          storedStatusAtFinish = table.stored(DEPLOYMENT_ID).status;
        },
      });

      await recorder.finish({ status: 'failed' });

      expect(storedStatusAtFinish).toBe('failed');
    });

    it('stops after unsubscribe', async () => {
      const { recorder } = await startedHarness();
      const onEvent = vi.fn();
      const unsubscribe = recorder.subscribe({ onEvent });

      unsubscribe();
      emitInstallLine(recorder, 'line');

      expect(onEvent).not.toHaveBeenCalled();
    });

    it('passes the final row at once to a late subscriber', async () => {
      const { recorder } = await startedHarness();
      const finalRow = await recorder.finish({ status: 'rolled_back' });
      const onFinish = vi.fn();

      recorder.subscribe({ onFinish });

      expect(onFinish).toHaveBeenCalledWith(finalRow);
    });

    it('reports a throwing subscriber through onError', async () => {
      const { recorder, errors } = await startedHarness();
      const failure = new Error('socket closed');
      recorder.subscribe({
        onEvent: () => {
          throw failure;
        },
      });

      const entry = emitInstallLine(recorder, 'line');

      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(SubscriberError);
      expect(errors[0]?.cause).toBe(failure);
      expect(errors[0]?.value).toBe(entry);
    });

    it('notifies the other subscribers when one throws', async () => {
      const { recorder } = await startedHarness();
      const onEvent = vi.fn();
      recorder.subscribe({
        onEvent: () => {
          throw new Error('socket closed');
        },
      });
      recorder.subscribe({ onEvent });

      emitInstallLine(recorder, 'line');

      expect(onEvent).toHaveBeenCalledTimes(1);
    });
  });

  describe('update', () => {
    it('writes the changed fields', async () => {
      const { recorder, table } = await startedHarness();
      const blob = { kind: 'blob' };

      recorder.update({ payload_blob: blob, payload_hash: PAYLOAD_HASH, payload_size: 4_096 });
      await flushMicrotasks();
      const stored = table.stored(DEPLOYMENT_ID);

      expect(stored.payload_blob).toBe(blob);
      expect(stored.payload_hash).toBe(PAYLOAD_HASH);
      expect(stored.payload_size).toBe(4_096);
    });

    it('leaves fields given as undefined unchanged', async () => {
      const { recorder } = await startedHarness({ packageIdentifier: 'npm:shop@1.0.0' });

      recorder.update({ package_identifier: undefined });

      expect(recorder.row.package_identifier).toBe('npm:shop@1.0.0');
    });

    it.each([
      { argument: 'fields.status', fields: { status: 'success' } },
      { argument: 'fields.payload_hash', fields: { payload_hash: 'ABC' } },
      { argument: 'fields.payload_size', fields: { payload_size: -1 } },
      { argument: 'fields.restart_mode', fields: { restart_mode: 'later' } },
      { argument: 'fields.project', fields: { project: '' } },
      { argument: 'fields', fields: null },
    ])('rejects $argument', async ({ argument, fields }) => {
      const { recorder } = await startedHarness();

      expect(() => recorder.update(fields as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument }),
      );
    });
  });

  describe('row', () => {
    it('returns a copy', async () => {
      const { recorder } = await startedHarness();
      recorder.recordPeers([{ node: 'node-2', status: 'success' }]);

      const copy = recorder.row;
      copy.status = 'success';
      copy.event_log.length = 0;
      copy.peer_results.length = 0;

      expect(recorder.status).toBe('pending');
      expect(recorder.row.event_log).toHaveLength(1);
      expect(recorder.row.peer_results).toHaveLength(1);
    });
  });

  describe('recordPeers', () => {
    it('upserts results by node in first-seen order', async () => {
      const { recorder } = await startedHarness();
      recorder.recordPeers([
        { node: 'node-2', status: 'success', completed_at: 1 },
        { node: 'node-3', status: 'failed', error: 'timed out', completed_at: 2 },
      ]);

      const results = recorder.recordPeers([
        { node: 'node-4', status: 'success', completed_at: 3 },
        { node: 'node-3', status: 'success', completed_at: 4 },
      ]);

      expect(results.map((result) => result.node)).toEqual(['node-2', 'node-3', 'node-4']);
      expect(results[1]).toEqual({
        node: 'node-3',
        status: 'success',
        error: null,
        started_at: null,
        completed_at: 4,
      });
    });

    it('emits a peer event for each new or changed result', async () => {
      const { recorder } = await startedHarness();
      recorder.recordPeers([{ node: 'node-2', status: 'success', completed_at: 1 }]);

      recorder.recordPeers([
        { node: 'node-2', status: 'success', completed_at: 1 },
        {
          node: 'node-3',
          status: 'failed',
          error: { message: 'npm exited with 1', code: 'INSTALL_FAILED' },
        },
      ]);
      const peerEvents = recorder.row.event_log.filter((entry) => entry.event === 'peer');

      expect(peerEvents).toHaveLength(2);
      expect(peerEvents[1]?.data).toEqual({
        node: 'node-3',
        status: 'failed',
        error: { message: 'npm exited with 1', code: 'INSTALL_FAILED' },
        started_at: null,
        completed_at: START_TIME,
      });
    });

    it('changes nothing when the same results are recorded again', async () => {
      const { recorder, table, clock } = await startedHarness();
      const results = [
        { node: 'node-2', status: 'success' },
        { name: 'node-3', status: 'failed', reason: 'timed out' },
        'ok',
      ];
      recorder.recordPeers(results);
      await flushMicrotasks();
      const rowBefore = recorder.row;
      const putsBefore = table.puts.length;
      clock.advance(10_000);

      recorder.recordPeers(results);
      await flushMicrotasks();

      expect(recorder.row).toEqual(rowBefore);
      expect(table.puts).toHaveLength(putsBefore);
    });

    it('names results without a node by position', async () => {
      const { recorder } = await startedHarness();

      const results = recorder.recordPeers(['ok', true]);

      expect(results.map((result) => result.node)).toEqual(['unknown-1', 'unknown-2']);
    });

    it('is ignored after finish', async () => {
      const { recorder } = await startedHarness();
      await recorder.finish({ status: 'success' });

      const results = recorder.recordPeers([{ node: 'node-2', status: 'failed' }]);

      expect(results).toEqual([]);
    });

    it('rejects a value that is not a list', async () => {
      const { recorder } = await startedHarness();

      expect(() => recorder.recordPeers(42 as unknown as unknown[])).toThrow(InvalidArgumentError);
    });
  });
});
