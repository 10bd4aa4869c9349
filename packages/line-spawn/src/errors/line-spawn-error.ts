/** Fields of a {@link LineSpawnError}. */
export interface LineSpawnErrorOptions {
  /** Stable error code, such as `'ENOENT'` or `'ETIMEDOUT'`. */
  readonly code: string;
  /** Command that failed. */
  readonly command: string;
  /** Underlying error or abort reason, if any. */
  readonly cause?: unknown;
}

/**
 * Base class of every error that `spawnLines` rejects with, except a `TypeError` or `RangeError`
 * for invalid options and an error thrown by `onLine`.
 */
export class LineSpawnError extends Error {
  override readonly name: string = 'LineSpawnError';
  /** Stable error code, such as `'ENOENT'` or `'ETIMEDOUT'`. */
  readonly code: string;
  /** Command that failed. */
  readonly command: string;

  constructor(message: string, options: LineSpawnErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.command = options.command;
  }
}
