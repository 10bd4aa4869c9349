import { InvalidReplicationFieldError, MissingReplicationFieldError } from './errors.js';

/**
 * The only request fields that cross to peers. Everything else stays on the origin: the
 * payload and its stream, size estimates, credentials and every private `_` field except
 * `_deploymentId`. Peers read the payload from the replicated deployment row instead.
 */
export const REPLICATED_FIELDS = [
  'operation',
  '_deploymentId',
  'project',
  'package',
  'restart',
  'install_command',
  'install_timeout',
  'install_allow_scripts',
] as const;

/** Name of a field in {@link REPLICATED_FIELDS}. */
export type ReplicatedField = (typeof REPLICATED_FIELDS)[number];

/**
 * Deploy operation as sent to peers. Optional fields accept strings as well because
 * multipart uploads deliver every field as text. It is a type alias rather than an interface,
 * so it is assignable to `Record<string, unknown>`.
 */
export type ReplicatedDeployOperation = {
  operation?: string;
  _deploymentId: string;
  project: string;
  package?: string;
  restart?: boolean | string;
  install_command?: string;
  install_timeout?: number | string;
  install_allow_scripts?: boolean | string;
};

type ScalarType = 'string' | 'boolean' | 'number';

const ALLOWED_TYPES: Record<ReplicatedField, readonly ScalarType[]> = {
  operation: ['string'],
  _deploymentId: ['string'],
  project: ['string'],
  package: ['string'],
  restart: ['boolean', 'string'],
  install_command: ['string'],
  install_timeout: ['number', 'string'],
  install_allow_scripts: ['boolean', 'string'],
};

const REQUIRED_FIELDS: readonly ReplicatedField[] = ['_deploymentId', 'project'];

/**
 * Builds the operation to replicate from the allow-list {@link REPLICATED_FIELDS} only.
 * Fields that are `undefined` or `null` are omitted.
 *
 * @throws MissingReplicationFieldError when `_deploymentId` or `project` is missing or empty.
 * @throws InvalidReplicationFieldError when an allowed field is not a JSON scalar of its type,
 *   so that a Buffer or stream can never cross under an allowed name.
 */
export function stripForReplication(request: Record<string, unknown>): ReplicatedDeployOperation {
  const operation: Record<string, string | number | boolean> = {};

  for (const field of REPLICATED_FIELDS) {
    const value = request[field];

    if (value === undefined || value === null || value === '') {
      if (REQUIRED_FIELDS.includes(field)) throw new MissingReplicationFieldError(field, value);
      if (value === '') operation[field] = value;
      continue;
    }

    const allowed = ALLOWED_TYPES[field];
    const valueType = typeof value;
    if (!allowed.includes(valueType as ScalarType)) {
      throw new InvalidReplicationFieldError(field, value, describeAllowedTypes(allowed));
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new InvalidReplicationFieldError(field, value, 'a finite number');
    }
    operation[field] = value as string | number | boolean;
  }

  return operation as unknown as ReplicatedDeployOperation;
}

function describeAllowedTypes(allowed: readonly ScalarType[]): string {
  return allowed.map((type) => `a ${type}`).join(' or ');
}
