import type { DeploymentRow, RestartMode } from './deployment-row.js';
import { InvalidArgumentError } from './errors.js';

/** Row fields that `DeploymentRecorder.start()` and `update()` may change. */
export type DeploymentRowUpdate = Partial<
  Pick<
    DeploymentRow,
    | 'project'
    | 'package_identifier'
    | 'payload_blob'
    | 'payload_hash'
    | 'payload_size'
    | 'user'
    | 'restart_mode'
  >
>;

/** Restart modes accepted in `restart_mode`. */
export const RESTART_MODES: readonly RestartMode[] = Object.freeze([
  'none',
  'immediate',
  'rolling',
]);

const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;

const UPDATABLE_FIELDS: ReadonlySet<string> = new Set([
  'project',
  'package_identifier',
  'payload_blob',
  'payload_hash',
  'payload_size',
  'user',
  'restart_mode',
]);

/**
 * Validates `fields` and returns a copy without undefined values. Throws `InvalidArgumentError` naming the
 * first field that is not updatable or has an invalid value.
 */
export function validateRowUpdate(fields: unknown): DeploymentRowUpdate {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new InvalidArgumentError('fields', fields, 'an object of row fields');
  }
  const update: Record<string, unknown> = {};

  for (const [field, value] of Object.entries(fields)) {
    // An undefined value means "leave the field unchanged", as in a Partial.
    if (value === undefined) {
      continue;
    }
    if (!UPDATABLE_FIELDS.has(field)) {
      throw new InvalidArgumentError(
        `fields.${field}`,
        value,
        `one of the updatable fields (${[...UPDATABLE_FIELDS].join(', ')})`,
      );
    }
    validateField(field, value);
    update[field] = value;
  }
  return update as DeploymentRowUpdate;
}

/** Throws `InvalidArgumentError` unless `value` is a valid value of `field`. */
function validateField(field: string, value: unknown): void {
  const argument = `fields.${field}`;
  switch (field) {
    case 'project':
    case 'user':
      if (typeof value !== 'string' || value === '') {
        throw new InvalidArgumentError(argument, value, 'a non-empty string');
      }
      return;
    case 'package_identifier':
      if (value !== null && typeof value !== 'string') {
        throw new InvalidArgumentError(argument, value, 'a string or null');
      }
      return;
    case 'payload_hash':
      if (value !== null && (typeof value !== 'string' || !SHA256_HEX_PATTERN.test(value))) {
        throw new InvalidArgumentError(
          argument,
          value,
          '64 lowercase hex digits (SHA-256) or null',
        );
      }
      return;
    case 'payload_size':
      if (value !== null && (!Number.isSafeInteger(value) || (value as number) < 0)) {
        throw new InvalidArgumentError(argument, value, 'a byte count of at least 0 or null');
      }
      return;
    case 'restart_mode':
      if (!RESTART_MODES.includes(value as RestartMode)) {
        throw new InvalidArgumentError(argument, value, `one of ${RESTART_MODES.join(', ')}`);
      }
      return;
    default:
      // payload_blob is opaque, so any value is accepted.
      return;
  }
}
