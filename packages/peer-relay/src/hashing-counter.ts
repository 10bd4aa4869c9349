import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { HashNotFinishedError } from './errors.js';

/** Pass-through stream that counts bytes and computes their sha256. */
export class HashingCounter extends Transform {
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #digest: string | null = null;

  /** Bytes that have passed through so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Returns the lowercase hex sha256 of all bytes.
   *
   * @throws HashNotFinishedError before the input has ended.
   */
  digest(): string {
    if (this.#digest === null) throw new HashNotFinishedError(this.#bytes);
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#digest = this.#hash.digest('hex');
    callback();
  }
}

/**
 * Creates a {@link HashingCounter}. The origin pipes the upload through it on the way into the
 * blob and records `bytes` and `digest()` as the payload's size and sha256.
 */
export function createHashingCounter(): HashingCounter {
  return new HashingCounter();
}
