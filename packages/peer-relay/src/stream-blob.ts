import { Readable } from 'node:stream';
import { type BlobSource, openBlobSource } from './blob-source.js';
import {
  BlobIdleTimeoutError,
  InvalidBlobChunkError,
  InvalidByteCountError,
  InvalidRetryCountError,
} from './errors.js';
import { isTransientBlobError } from './is-transient-blob-error.js';
import type { PayloadBlob } from './payload-blob.js';
import { validateNonNegativeDuration, validatePositiveDuration } from './validate-duration.js';

/** Maximum time in milliseconds that a peer waits for the next bytes of the payload blob. */
export const DEFAULT_PEER_RECEIVE_IDLE_TIMEOUT_MS = 60_000;

/** Maximum number of times a blob that is not available yet is reopened. */
export const DEFAULT_BLOB_RETRIES = 5;

/** Delay in milliseconds before the first reopen. Each further reopen doubles it. */
export const DEFAULT_BLOB_RETRY_BACKOFF_MS = 200;

export interface StreamBlobOptions {
  /** Maximum time in milliseconds that a read of the source may wait for bytes. */
  idleTimeoutMs?: number;
  /** Maximum number of reopens after a transient error, which happen only before the first byte. */
  retries?: number;
  /** Delay in milliseconds before the first reopen. Each further reopen doubles it. */
  retryBackoffMs?: number;
  /** Destroys the stream with the signal's reason when it aborts. */
  signal?: AbortSignal;
  /** Decides whether an error means "not available yet". Defaults to {@link isTransientBlobError}. */
  isTransient?: (error: unknown) => boolean;
  /**
   * Size of the blob in bytes, or a promise of it for a blob whose size is known only later.
   * Once the bytes read reach that size, the stream ends without waiting for the source to
   * report its end. A source that has more bytes is read to its end as usual.
   */
  expectedBytes?: number | PromiseLike<number>;
}

/**
 * Returns a Node.js Readable of the blob's bytes as Buffers.
 *
 * The source is read one chunk per `_read()` call, so it advances only as fast as the
 * consumer reads, and about one highWaterMark plus one source chunk is buffered. The idle timer
 * runs only while a read of the source is pending. A consumer that pauses therefore never
 * triggers it. When no bytes arrive for `idleTimeoutMs`, the stream is destroyed with
 * {@link BlobIdleTimeoutError}. Destroying the stream cancels the source.
 *
 * With `expectedBytes`, the stream ends as soon as that many bytes have been read, and the
 * source is cancelled. This covers a source that delivers every byte of a blob still being
 * written elsewhere but is slow to report its end.
 */
export function streamBlob(blob: PayloadBlob, options: StreamBlobOptions = {}): Readable {
  const idleTimeoutMs = validatePositiveDuration(
    'idleTimeoutMs',
    options.idleTimeoutMs ?? DEFAULT_PEER_RECEIVE_IDLE_TIMEOUT_MS,
  );
  const retryBackoffMs = validateNonNegativeDuration(
    'retryBackoffMs',
    options.retryBackoffMs ?? DEFAULT_BLOB_RETRY_BACKOFF_MS,
  );
  const retries = options.retries ?? DEFAULT_BLOB_RETRIES;
  if (!Number.isSafeInteger(retries) || retries < 0) {
    throw new InvalidRetryCountError('retries', retries);
  }

  const { expectedBytes } = options;
  if (typeof expectedBytes === 'number' && !isByteCount(expectedBytes)) {
    throw new InvalidByteCountError('expectedBytes', expectedBytes);
  }

  return new BlobReadable(blob, {
    idleTimeoutMs,
    retries,
    retryBackoffMs,
    isTransient: options.isTransient ?? isTransientBlobError,
    signal: options.signal,
    expectedBytes,
  });
}

function isByteCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

interface BlobReadableSettings {
  idleTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  isTransient: (error: unknown) => boolean;
  signal: AbortSignal | undefined;
  expectedBytes: number | PromiseLike<number> | undefined;
}

class BlobReadable extends Readable {
  readonly #blob: PayloadBlob;
  readonly #settings: BlobReadableSettings;
  #source: BlobSource | null = null;
  #bytesRead = 0;
  #retriesUsed = 0;
  #pulling = false;
  #idleTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #endRetryWait: (() => void) | null = null;
  #expectedBytes: number | undefined;
  /** Set once the stream ended because it read `expectedBytes`, before the source ended. */
  #endedAtExpectedSize = false;
  readonly #onAbort = (): void => {
    this.destroy(toError(this.#settings.signal?.reason));
  };

  constructor(blob: PayloadBlob, settings: BlobReadableSettings) {
    super();
    this.#blob = blob;
    this.#settings = settings;

    const { signal, expectedBytes } = settings;
    if (typeof expectedBytes === 'number') {
      this.#expectedBytes = expectedBytes;
    } else if (expectedBytes !== undefined) {
      // A size that never arrives, or is not a byte count, leaves the source to end the stream.
      Promise.resolve(expectedBytes).then(
        (bytes) => {
          if (!isByteCount(bytes)) return;
          this.#expectedBytes = bytes;
          this.#endIfExpectedSizeRead();
        },
        () => undefined,
      );
    }
    if (signal?.aborted) {
      process.nextTick(this.#onAbort);
    } else {
      signal?.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  override _read(): void {
    if (this.#endIfExpectedSizeRead()) return;
    if (this.#pulling) return;
    this.#pulling = true;
    void this.#pullOneChunk();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearIdleTimer();
    this.#stopRetryWait();
    this.#settings.signal?.removeEventListener('abort', this.#onAbort);

    const source = this.#source;
    this.#source = null;
    if (source) void source.cancel(error ?? new Error('blob stream destroyed'));
    callback(error);
  }

  /** Reads the source until one non-empty chunk is pushed, the source ends or fails. */
  async #pullOneChunk(): Promise<void> {
    for (;;) {
      let result: IteratorResult<unknown>;
      try {
        this.#source ??= openBlobSource(this.#blob);
        this.#armIdleTimer();
        result = await this.#source.next();
      } catch (error) {
        this.#clearIdleTimer();
        if (this.destroyed || this.#endedAtExpectedSize) return;
        if (await this.#waitBeforeRetry(error)) continue;
        if (!this.destroyed) this.destroy(toError(error));
        return;
      }

      this.#clearIdleTimer();
      if (this.destroyed || this.#endedAtExpectedSize) return;

      if (result.done) {
        this.#source = null;
        this.#pulling = false;
        this.push(null);
        return;
      }

      const chunk = toBuffer(result.value);
      if (chunk === null) {
        this.destroy(new InvalidBlobChunkError(result.value));
        return;
      }
      if (chunk.length === 0) continue;

      this.#bytesRead += chunk.length;
      this.#pulling = false;
      this.push(chunk);
      this.#endIfExpectedSizeRead();
      return;
    }
  }

  /**
   * Ends the stream and cancels the source when the bytes read equal the expected size. Returns
   * whether the stream has ended this way.
   */
  #endIfExpectedSizeRead(): boolean {
    if (this.#endedAtExpectedSize) return true;
    if (this.destroyed || this.#expectedBytes !== this.#bytesRead) return false;
    this.#endedAtExpectedSize = true;
    this.#clearIdleTimer();
    const source = this.#source;
    this.#source = null;
    if (source) void source.cancel(new Error('blob read to its expected size'));
    this.push(null);
    return true;
  }

  /**
   * Closes the failed source and waits the backoff delay when the error is transient and no
   * byte has been forwarded yet. Returns whether to reopen the blob. Once bytes have reached
   * the consumer, a reopen would repeat them, so later errors always propagate.
   */
  async #waitBeforeRetry(error: unknown): Promise<boolean> {
    const { retries, retryBackoffMs, isTransient } = this.#settings;
    if (this.#bytesRead > 0 || this.#retriesUsed >= retries) return false;
    if (!safeIsTransient(isTransient, error)) return false;

    const failedSource = this.#source;
    this.#source = null;
    if (failedSource) void failedSource.cancel(error);

    const delayMs = retryBackoffMs * 2 ** this.#retriesUsed;
    this.#retriesUsed += 1;
    await new Promise<void>((resolve) => {
      this.#endRetryWait = resolve;
      this.#retryTimer = setTimeout(resolve, delayMs);
    });
    this.#retryTimer = null;
    this.#endRetryWait = null;
    return !this.destroyed;
  }

  #armIdleTimer(): void {
    this.#clearIdleTimer();
    const { idleTimeoutMs } = this.#settings;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      this.destroy(new BlobIdleTimeoutError(idleTimeoutMs, this.#bytesRead));
    }, idleTimeoutMs);
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer === null) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #stopRetryWait(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#endRetryWait?.();
  }
}

/** Converts a chunk to a Buffer without copying, or returns null when it is not bytes or text. */
function toBuffer(value: unknown): Buffer | null {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return null;
}

/** Treats a predicate that throws as "not transient", so the original error propagates. */
function safeIsTransient(isTransient: (error: unknown) => boolean, error: unknown): boolean {
  try {
    return isTransient(error);
  } catch {
    return false;
  }
}

function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(String(value), { cause: value });
}
