import type { EventLogEntry } from './deployment-events.js';
import type { DeploymentError, DeploymentRow, DeploymentStatus } from './deployment-row.js';
import { isDeploymentStatus, isTerminalStatus } from './deployment-status.js';
import type { DeploymentTable } from './deployment-table.js';
import {
  DeploymentReadError,
  type DeploymentRecorderError,
  DeploymentWriteError,
  InvalidArgumentError,
} from './errors.js';
import { appendEvent, type EventLogLimits, resolveEventLogLimits } from './event-log.js';
import { validateOptionalFunction, validateTable } from './recorder-options.js';

/** Error code stored on a row that `markStaleDeployments` failed. */
export const ORIGIN_RESTARTED_CODE = 'ORIGIN_RESTARTED';

/** Error message stored on a row that `markStaleDeployments` failed. */
export const ORIGIN_RESTARTED_MESSAGE = 'the origin node restarted before the deployment finished';

/**
 * Statuses that `markStaleDeployments` skips by default. A `restarting` row is expected to
 * survive the worker restart, because the new worker finishes it.
 */
export const DEFAULT_STALE_EXCLUDED_STATUSES: readonly DeploymentStatus[] = Object.freeze([
  'restarting',
]);

/** Options of `markStaleDeployments`. */
export interface MarkStaleDeploymentsOptions {
  table: DeploymentTable;
  /** Candidate rows, such as the result of a table search on `origin_node`. */
  rows: AsyncIterable<DeploymentRow> | Iterable<DeploymentRow>;
  /** This node's name. Rows of other origin nodes are skipped. */
  originNode: string;
  /**
   * Minimum time in ms since a row's last activity before it counts as stale. Last activity is
   * the later of `started_at` and the newest event's `t`. Keep it above the longest quiet
   * period of a running deployment, because another worker thread of this node may still be
   * running it.
   */
  olderThanMs: number;
  /** Clock in epoch ms. Defaults to `Date.now`. */
  now?: () => number;
  /** Non-terminal statuses to skip. Defaults to `DEFAULT_STALE_EXCLUDED_STATUSES`. */
  excludeStatuses?: readonly DeploymentStatus[];
  /** Event log bounds used to append the `error` event. Default to the recorder's defaults. */
  maxEvents?: number;
  headEvents?: number;
  /** Receives read and write failures. The failed row is skipped and the others are still marked. */
  onError?: (error: DeploymentRecorderError) => void;
}

/**
 * Fails this node's non-terminal rows whose last activity is more than `olderThanMs` ago,
 * because the process that was running them is gone. Each row is read again with `table.get`
 * before it is written, so a row that changed since `rows` was read is judged on its current
 * state, and a deleted row is skipped. A marked row gets status `failed`, `completed_at`, an
 * `ORIGIN_RESTARTED` error with the row's phase, and an `error` event. Rows are written one at
 * a time. Returns the ids of the rows written.
 */
export async function markStaleDeployments(
  options: MarkStaleDeploymentsOptions,
): Promise<string[]> {
  validateOptions(options);
  const now = options.now ?? Date.now;
  const limits = resolveEventLogLimits({
    maxEvents: options.maxEvents,
    headEvents: options.headEvents,
  });
  const excluded = new Set(options.excludeStatuses ?? DEFAULT_STALE_EXCLUDED_STATUSES);
  const report = (error: DeploymentRecorderError): void => {
    try {
      options.onError?.(error);
    } catch {
      // onError is the last place a failure can go, so an error it throws is dropped.
    }
  };

  const marked: string[] = [];
  for await (const candidate of options.rows) {
    const id = candidate?.deployment_id;
    if (typeof id !== 'string' || id === '') {
      continue;
    }

    let current: DeploymentRow | undefined | null;
    try {
      current = await options.table.get(id);
    } catch (error) {
      report(new DeploymentReadError(id, error));
      continue;
    }
    const time = now();
    const deadline = time - options.olderThanMs;
    if (
      current === undefined ||
      current === null ||
      !isStale(current, options.originNode, excluded, deadline)
    ) {
      continue;
    }

    const failed = toOriginRestartedRow(current, time, limits);
    try {
      await options.table.put(id, failed);
      marked.push(id);
    } catch (error) {
      report(new DeploymentWriteError(id, error));
    }
  }
  return marked;
}

function isStale(
  row: DeploymentRow,
  originNode: string,
  excluded: ReadonlySet<DeploymentStatus>,
  deadline: number,
): boolean {
  if (row.origin_node !== originNode) {
    return false;
  }
  // A row with an unknown status is not ours to judge, so it is left alone.
  if (!isDeploymentStatus(row.status) || isTerminalStatus(row.status) || excluded.has(row.status)) {
    return false;
  }
  const lastActivity = lastActivityOf(row);
  // A row without any timestamp cannot be shown to be running, so it counts as stale.
  return lastActivity === undefined || lastActivity < deadline;
}

function lastActivityOf(row: DeploymentRow): number | undefined {
  const times: number[] = [];
  if (typeof row.started_at === 'number' && Number.isFinite(row.started_at)) {
    times.push(row.started_at);
  }
  for (const entry of eventLogOf(row)) {
    if (typeof entry.t === 'number' && Number.isFinite(entry.t)) {
      times.push(entry.t);
    }
  }
  return times.length === 0 ? undefined : Math.max(...times);
}

function toOriginRestartedRow(
  row: DeploymentRow,
  now: number,
  limits: EventLogLimits,
): DeploymentRow {
  const phase = typeof row.phase === 'string' ? row.phase : null;
  const error: DeploymentError = {
    message: ORIGIN_RESTARTED_MESSAGE,
    code: ORIGIN_RESTARTED_CODE,
    phase,
  };
  const log = eventLogOf(row);
  const lastId = log.reduce(
    (max, entry) => (typeof entry.id === 'number' && entry.id > max ? entry.id : max),
    0,
  );
  const entry: EventLogEntry = Object.freeze({
    id: lastId + 1,
    t: now,
    event: 'error',
    data: Object.freeze({ ...error }),
  });
  return {
    ...row,
    status: 'failed',
    completed_at: now,
    error,
    event_log: appendEvent(log, entry, limits),
  };
}

function eventLogOf(row: DeploymentRow): readonly EventLogEntry[] {
  return Array.isArray(row.event_log) ? row.event_log : [];
}

function validateOptions(options: MarkStaleDeploymentsOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', options, 'an options object');
  }
  validateTable('table', options.table);
  const rows: unknown = options.rows;
  const iterable =
    typeof rows === 'object' &&
    rows !== null &&
    (Symbol.iterator in rows || Symbol.asyncIterator in rows);
  if (!iterable) {
    throw new InvalidArgumentError('rows', rows, 'an array or async iterable of rows');
  }
  if (typeof options.originNode !== 'string' || options.originNode === '') {
    throw new InvalidArgumentError('originNode', options.originNode, 'a non-empty string');
  }
  if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
    throw new InvalidArgumentError(
      'olderThanMs',
      options.olderThanMs,
      'a number of milliseconds of at least 0',
    );
  }
  if (options.excludeStatuses !== undefined && !Array.isArray(options.excludeStatuses)) {
    throw new InvalidArgumentError(
      'excludeStatuses',
      options.excludeStatuses,
      'an array of statuses',
    );
  }
  validateOptionalFunction('now', options.now);
  validateOptionalFunction('onError', options.onError);
}
