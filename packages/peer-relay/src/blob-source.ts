import { InvalidBlobStreamError } from './errors.js';
import type { PayloadBlob } from './payload-blob.js';

/** One reader over a blob's stream, whatever kind of stream `blob.stream()` returned. */
export interface BlobSource {
  /** Reads the next chunk. Call it again only after the previous call settled. */
  next(): Promise<IteratorResult<unknown>>;
  /** Stops the source and releases its resources. Never rejects. */
  cancel(reason: unknown): Promise<void>;
}

/**
 * Opens `blob.stream()` and wraps the result in a {@link BlobSource}.
 *
 * Cancelling a web ReadableStream goes through its reader, which also settles a pending read.
 * A Node.js stream is destroyed. A plain async iterator gets `return()`, which an async
 * generator runs only after its pending `next()` settles.
 */
export function openBlobSource(blob: PayloadBlob): BlobSource {
  const stream: unknown = blob.stream();

  if (isWebReadableStream(stream)) {
    const reader = stream.getReader();
    return {
      next: () => reader.read() as Promise<IteratorResult<unknown>>,
      cancel: (reason) => reader.cancel(reason).catch(ignoreError),
    };
  }

  if (isNodeReadable(stream)) {
    const iterator = stream[Symbol.asyncIterator]();
    return {
      next: () => iterator.next(),
      cancel: async (reason) => {
        stream.destroy(reason instanceof Error ? reason : undefined);
      },
    };
  }

  if (isAsyncIterable(stream)) {
    const iterator = stream[Symbol.asyncIterator]();
    return {
      next: () => iterator.next(),
      cancel: async () => {
        try {
          await iterator.return?.();
        } catch {
          // The source is being abandoned, so an error while closing it changes nothing.
        }
      },
    };
  }

  throw new InvalidBlobStreamError(stream);
}

interface NodeReadableLike extends AsyncIterable<unknown> {
  destroy(error?: Error): unknown;
  pipe: unknown;
}

function isWebReadableStream(value: unknown): value is ReadableStream<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getReader?: unknown }).getReader === 'function'
  );
}

function isNodeReadable(value: unknown): value is NodeReadableLike {
  return (
    isAsyncIterable(value) &&
    typeof (value as { destroy?: unknown }).destroy === 'function' &&
    typeof (value as { pipe?: unknown }).pipe === 'function'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function ignoreError(): void {}
