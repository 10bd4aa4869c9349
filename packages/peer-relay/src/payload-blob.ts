/**
 * Blob as Harper stores it in a record: `stream()` returns a web ReadableStream there, but any
 * async iterable of bytes or Node.js readable stream works as well.
 */
export interface PayloadBlob {
  /** Size in bytes when known. */
  size?: number;
  stream(): ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | NodeJS.ReadableStream;
}

/** Returns true when `value` has the `stream()` method of a {@link PayloadBlob}. */
export function isPayloadBlob(value: unknown): value is PayloadBlob {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { stream?: unknown }).stream === 'function'
  );
}
