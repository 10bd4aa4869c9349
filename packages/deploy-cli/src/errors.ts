/** Invalid command-line input or options, such as a missing target, an unknown flag or an invalid number. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure to reach the server, such as a refused connection, a DNS or TLS failure or a reset socket. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';

  /** The Node.js error code, such as `ECONNREFUSED` or `ENOTFOUND`, when one was set. */
  readonly code: string | undefined;

  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** A non-2xx response from the server. */
export class ServerRejectedError extends Error {
  override name = 'ServerRejectedError';

  readonly status: number;
  /** The `code` of the JSON error body, when the server sent one. */
  readonly code: string | undefined;

  constructor(message: string, options: { status: number; code?: string }) {
    super(message);
    this.status = options.status;
    this.code = options.code;
  }
}

/**
 * A lost event stream that did not recover within the reconnect timeout, or that ended before the
 * deployment id was known.
 */
export class StreamLostError extends Error {
  override name = 'StreamLostError';

  readonly deploymentId: string | undefined;

  constructor(message: string, options: { deploymentId?: string } = {}) {
    super(message);
    this.deploymentId = options.deploymentId;
  }
}

/**
 * An abort by the caller. During the upload the request is destroyed, so the server fails the
 * deployment. During the event stream only this client detaches, and the deployment goes on.
 */
export class DeployInterruptedError extends Error {
  override name = 'DeployInterruptedError';

  readonly stage: 'upload' | 'stream';
  readonly deploymentId: string | undefined;

  constructor(stage: 'upload' | 'stream', options: { deploymentId?: string } = {}) {
    super(stage === 'upload' ? 'upload aborted' : 'detached from the event stream');
    this.stage = stage;
    this.deploymentId = options.deploymentId;
  }
}
