import type { RestartMode } from './deployment-row.js';
import type { DeploymentTable } from './deployment-table.js';
import type { DeploymentRecorderError } from './errors.js';
import { InvalidArgumentError } from './errors.js';
import { RESTART_MODES } from './row-update.js';

/** Options of `DeploymentRecorder`. */
export interface DeploymentRecorderOptions {
  /** Table that stores the row, such as Harper's `hdb_deployment` table. */
  table: DeploymentTable;
  /** Primary key of the row, a UUID. */
  deploymentId: string;
  project: string;
  /** Name of this node, the only node that writes the row. */
  originNode: string;
  /** User who requested the deployment. */
  user: string;
  restartMode: RestartMode;
  packageIdentifier?: string | null;
  /** Clock in epoch ms. Defaults to `Date.now`. */
  now?: () => number;
  /** Maximum number of event log entries. Defaults to `DEFAULT_MAX_EVENTS` (200). */
  maxEvents?: number;
  /** Number of first events kept once the log is full. Defaults to `DEFAULT_HEAD_EVENTS` (20). */
  headEvents?: number;
  /**
   * Receives failures that no caller can catch: failed background writes and throwing
   * subscribers. Errors thrown by `onError` itself are ignored. Without it these failures
   * are dropped.
   */
  onError?: (error: DeploymentRecorderError) => void;
}

/** Throws `InvalidArgumentError` for the first invalid option. Event log limits are checked elsewhere. */
export function validateRecorderOptions(
  options: unknown,
): asserts options is DeploymentRecorderOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', options, 'an options object');
  }
  const record = options as Record<string, unknown>;

  validateTable('table', record.table);
  for (const name of ['deploymentId', 'project', 'originNode', 'user']) {
    const value = record[name];
    if (typeof value !== 'string' || value === '') {
      throw new InvalidArgumentError(name, value, 'a non-empty string');
    }
  }
  if (!RESTART_MODES.includes(record.restartMode as RestartMode)) {
    throw new InvalidArgumentError(
      'restartMode',
      record.restartMode,
      `one of ${RESTART_MODES.join(', ')}`,
    );
  }
  const packageIdentifier = record.packageIdentifier;
  if (
    packageIdentifier !== undefined &&
    packageIdentifier !== null &&
    typeof packageIdentifier !== 'string'
  ) {
    throw new InvalidArgumentError('packageIdentifier', packageIdentifier, 'a string or null');
  }
  validateOptionalFunction('now', record.now);
  validateOptionalFunction('onError', record.onError);
}

/**
 * Throws `InvalidArgumentError` unless `table` has `get` and `put` methods. Functions are
 * accepted too, because a Harper table is a class with static methods.
 */
export function validateTable(argument: string, table: unknown): asserts table is DeploymentTable {
  const isObjectLike = (typeof table === 'object' && table !== null) || typeof table === 'function';
  const record = table as Record<string, unknown>;
  const valid =
    isObjectLike && typeof record.get === 'function' && typeof record.put === 'function';
  if (!valid) {
    throw new InvalidArgumentError(
      argument,
      table,
      'an object with get(id) and put(id, row) methods',
    );
  }
}

/** Throws `InvalidArgumentError` unless `value` is undefined or a function. */
export function validateOptionalFunction(argument: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidArgumentError(argument, value, 'a function');
  }
}
