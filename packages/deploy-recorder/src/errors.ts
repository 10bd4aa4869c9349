/**
 * Base class of every error this package throws or passes to `onError`. `code` identifies the
 * failure kind, `value` is the value at fault, and `cause` is the underlying error, if any.
 */
export abstract class DeploymentRecorderError extends Error {
  abstract readonly code: string;
  readonly value: unknown;

  constructor(message: string, value: unknown, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.value = value;
  }
}

/** An option or argument has an invalid value. `argument` names it. */
export class InvalidArgumentError extends DeploymentRecorderError {
  readonly code = 'ERR_INVALID_ARGUMENT';
  readonly argument: string;

  constructor(argument: string, value: unknown, expected: string) {
    super(`Invalid ${argument}: expected ${expected}, got ${describeValue(value)}.`, value);
    this.argument = argument;
  }
}

/** `finish()` received a status that does not end a deployment. */
export class InvalidTerminalStatusError extends DeploymentRecorderError {
  readonly code = 'ERR_INVALID_TERMINAL_STATUS';

  constructor(status: unknown) {
    super(
      `Invalid terminal status ${describeValue(status)}: finish() accepts 'success', 'failed' or 'rolled_back'.`,
      status,
    );
  }
}

/** A method was called in a recorder state that does not allow it. `value` is that state. */
export class InvalidRecorderStateError extends DeploymentRecorderError {
  readonly code = 'ERR_INVALID_RECORDER_STATE';

  constructor(method: string, state: 'started' | 'finished') {
    super(
      `${method} failed because the recorder is already ${state}. Create one recorder per deployment.`,
      state,
    );
  }
}

/** `DeploymentTable.put` threw or rejected. `value` is the deployment id. */
export class DeploymentWriteError extends DeploymentRecorderError {
  readonly code = 'ERR_DEPLOYMENT_WRITE';

  constructor(deploymentId: string, cause: unknown) {
    super(`Writing deployment ${deploymentId} failed: ${describeCause(cause)}.`, deploymentId, {
      cause,
    });
  }
}

/** `DeploymentTable.get` threw or rejected. `value` is the deployment id. */
export class DeploymentReadError extends DeploymentRecorderError {
  readonly code = 'ERR_DEPLOYMENT_READ';

  constructor(deploymentId: string, cause: unknown) {
    super(`Reading deployment ${deploymentId} failed: ${describeCause(cause)}.`, deploymentId, {
      cause,
    });
  }
}

/**
 * A subscriber callback threw. The recorder catches it so one subscriber cannot break the
 * deployment or the other subscribers. `value` is the entry or final row it was given.
 */
export class SubscriberError extends DeploymentRecorderError {
  readonly code = 'ERR_SUBSCRIBER';

  constructor(callback: 'onEvent' | 'onFinish', value: unknown, cause: unknown) {
    super(`A subscriber's ${callback} callback threw: ${describeCause(cause)}.`, value, { cause });
  }
}

const MAX_DESCRIBED_LENGTH = 80;

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const text =
      value.length > MAX_DESCRIBED_LENGTH ? `${value.slice(0, MAX_DESCRIBED_LENGTH)}…` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  if (value === null || value === undefined || typeof value !== 'object') {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : 'an object';
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    return cause.message;
  }
  return describeValue(cause);
}
