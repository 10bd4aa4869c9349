import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import {
  InvalidPayloadExpectationError,
  PayloadHashMismatchError,
  PayloadSizeMismatchError,
} from './errors.js';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

export interface PayloadVerifierOptions {
  /** Size of the payload in bytes, as recorded by the origin. */
  expectedSize: number;
  /** Hex sha256 of the payload, as recorded by the origin. Case does not matter. */
  expectedHash: string;
}

/**
 * Creates a pass-through stream that checks the payload against the size and sha256 that the
 * origin recorded.
 *
 * The stream fails with {@link PayloadSizeMismatchError} as soon as a chunk takes the count
 * past `expectedSize`, without passing that chunk on. At the end it fails with
 * PayloadSizeMismatchError when bytes are missing, or with {@link PayloadHashMismatchError}
 * when the sha256 differs.
 *
 * @throws InvalidPayloadExpectationError when `expectedSize` or `expectedHash` is malformed.
 */
export function createPayloadVerifier(options: PayloadVerifierOptions): Transform {
  const { expectedSize, expectedHash } = options;
  if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) {
    throw new InvalidPayloadExpectationError(
      'expectedSize',
      expectedSize,
      'a non-negative integer',
    );
  }
  if (typeof expectedHash !== 'string' || !SHA256_HEX.test(expectedHash)) {
    throw new InvalidPayloadExpectationError(
      'expectedHash',
      expectedHash,
      'a sha256 digest of 64 hex characters',
    );
  }
  const expectedHashLower = expectedHash.toLowerCase();

  const hash = createHash('sha256');
  let bytes = 0;

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      bytes += chunk.length;
      if (bytes > expectedSize) {
        callback(new PayloadSizeMismatchError(expectedSize, bytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },

    flush(callback: TransformCallback): void {
      if (bytes < expectedSize) {
        callback(new PayloadSizeMismatchError(expectedSize, bytes));
        return;
      }
      const actualHash = hash.digest('hex');
      if (actualHash !== expectedHashLower) {
        callback(new PayloadHashMismatchError(expectedHashLower, actualHash));
        return;
      }
      callback();
    },
  });
}
