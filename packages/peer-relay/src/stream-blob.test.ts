import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  BlobIdleTimeoutError,
  InvalidBlobChunkError,
  InvalidByteCountError,
  InvalidRetryCountError,
  InvalidTimeoutError,
} from './errors.js';
import type { PayloadBlob } from './payload-blob.js';
import { createPayloadVerifier } from './payload-verifier.js';
import { streamBlob } from './stream-blob.js';

const SHORT_IDLE_TIMEOUT_MS = 50;

interface CountingSource {
  stream: ReadableStream<Uint8Array>;
  /** Number of times the stream asked the source for a chunk. */
  readonly pulls: number;
  readonly cancelled: boolean;
}

/**
 * Web ReadableStream that produces `chunkAt(index)` on each pull, ends when it returns null
 * and never stalls unless the callback's promise stalls. highWaterMark 0 stops the web stream
 * from reading ahead, so `pulls` counts the reads that streamBlob requested.
 */
function createCountingSource(
  chunkAt: (index: number) => Uint8Array | null | Promise<Uint8Array | null>,
): CountingSource {
  const state = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await chunkAt(state.pulls);
        state.pulls += 1;
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    get pulls() {
      return state.pulls;
    },
    get cancelled() {
      return state.cancelled;
    },
  };
}

function blobOf(...streams: Array<() => ReturnType<PayloadBlob['stream']>>) {
  let opened = 0;
  const blob: PayloadBlob & { readonly opened: number } = {
    stream() {
      const open = streams[Math.min(opened, streams.length - 1)];
      opened += 1;
      if (!open) throw new Error('test blob has no stream');
      return open();
    },
    get opened() {
      return opened;
    },
  };
  return blob;
}

function never(): Promise<never> {
  return new Promise(() => {});
}

async function readAll(readable: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readError(readable: Readable): Promise<unknown> {
  try {
    await readAll(readable);
  } catch (error) {
    return error;
  }
  throw new Error('expected the stream to fail');
}

function notAvailableError(): Error {
  return Object.assign(new Error('blob file is not available yet'), { code: 'ENOENT' });
}

describe('streamBlob', () => {
  it('streams a web ReadableStream as Buffers', async () => {
    const source = createCountingSource((i) => (i < 3 ? Buffer.from(`part${i};`) : null));
    const readable = streamBlob(blobOf(() => source.stream));

    const chunks: unknown[] = [];
    for await (const chunk of readable) chunks.push(chunk);

    expect(chunks.every((chunk) => Buffer.isBuffer(chunk))).toBe(true);
    expect(Buffer.concat(chunks as Buffer[]).toString()).toBe('part0;part1;part2;');
  });

  it('streams an async iterable', async () => {
    async function* parts() {
      yield new TextEncoder().encode('a');
      yield new TextEncoder().encode('b');
    }
    const readable = streamBlob(blobOf(() => parts()));

    expect((await readAll(readable)).toString()).toBe('ab');
  });

  it('streams a Node.js Readable', async () => {
    const readable = streamBlob(blobOf(() => Readable.from([Buffer.from('x'), Buffer.from('y')])));

    expect((await readAll(readable)).toString()).toBe('xy');
  });

  it('skips empty chunks', async () => {
    const chunks = [new Uint8Array(0), Buffer.from('z')];
    const source = createCountingSource((i) => chunks[i] ?? null);

    expect((await readAll(streamBlob(blobOf(() => source.stream)))).toString()).toBe('z');
  });

  describe('idle timeout', () => {
    it('fails a stalled source with BlobIdleTimeoutError', async () => {
      const source = createCountingSource((i) => (i === 0 ? Buffer.from('first') : never()));
      const readable = streamBlob(
        blobOf(() => source.stream),
        {
          idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS,
        },
      );

      expect(await readError(readable)).toBeInstanceOf(BlobIdleTimeoutError);
    });

    it('reports fixed message and bytes read', async () => {
      const source = createCountingSource((i) => (i === 0 ? Buffer.from('first') : never()));
      const readable = streamBlob(
        blobOf(() => source.stream),
        {
          idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS,
        },
      );

      expect(await readError(readable)).toMatchObject({
        message: 'blob stream idle timeout',
        code: 'BLOB_IDLE_TIMEOUT',
        idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS,
        bytesRead: 5,
      });
    });

    it('cancels the stalled source', async () => {
      const source = createCountingSource(() => never());
      const readable = streamBlob(
        blobOf(() => source.stream),
        {
          idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS,
        },
      );

      await readError(readable);

      expect(source.cancelled).toBe(true);
    });

    it('ignores a paused consumer', async () => {
      const source = createCountingSource((i) => (i < 2 ? Buffer.from(`c${i}`) : null));
      const readable = streamBlob(
        blobOf(() => source.stream),
        {
          idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS,
        },
      );

      await once(readable, 'readable');
      await delay(SHORT_IDLE_TIMEOUT_MS * 4);

      expect((await readAll(readable)).toString()).toBe('c0c1');
    });
  });

  describe('retries', () => {
    it('retries a transient error before data', async () => {
      const blob = blobOf(
        () => createCountingSource(() => Promise.reject(notAvailableError())).stream,
        () => createCountingSource((i) => (i === 0 ? Buffer.from('late') : null)).stream,
      );

      const data = await readAll(streamBlob(blob, { retryBackoffMs: 1 }));

      expect(data.toString()).toBe('late');
      expect(blob.opened).toBe(2);
    });

    it('retries a transient throw from stream()', async () => {
      let calls = 0;
      const blob: PayloadBlob = {
        stream() {
          calls += 1;
          if (calls === 1) throw notAvailableError();
          return Readable.from([Buffer.from('ok')]);
        },
      };

      expect((await readAll(streamBlob(blob, { retryBackoffMs: 1 }))).toString()).toBe('ok');
    });

    it('never retries after the first byte', async () => {
      const blob = blobOf(
        () =>
          createCountingSource((i) =>
            i === 0 ? Buffer.from('partial') : Promise.reject(notAvailableError()),
          ).stream,
        () =>
          createCountingSource((i) => (i === 0 ? Buffer.from('must not be read') : null)).stream,
      );

      const error = await readError(streamBlob(blob, { retryBackoffMs: 1 }));

      expect(error).toMatchObject({ message: 'blob file is not available yet' });
      expect(blob.opened).toBe(1);
    });

    it('never retries a permanent error', async () => {
      const failure = new Error('disk read failed');
      const blob = blobOf(() => createCountingSource(() => Promise.reject(failure)).stream);

      const error = await readError(streamBlob(blob, { retryBackoffMs: 1 }));

      expect(error).toBe(failure);
      expect(blob.opened).toBe(1);
    });

    it('stops after the configured retries', async () => {
      const blob = blobOf(
        () => createCountingSource(() => Promise.reject(notAvailableError())).stream,
      );

      await readError(streamBlob(blob, { retries: 2, retryBackoffMs: 1 }));

      expect(blob.opened).toBe(3);
    });

    it('uses a custom isTransient predicate', async () => {
      const busy = Object.assign(new Error('busy'), { code: 'EBUSY' });
      const blob = blobOf(
        () => createCountingSource(() => Promise.reject(busy)).stream,
        () => createCountingSource((i) => (i === 0 ? Buffer.from('ok') : null)).stream,
      );
      const readable = streamBlob(blob, {
        retryBackoffMs: 1,
        isTransient: (error) => (error as { code?: string }).code === 'EBUSY',
      });

      expect((await readAll(readable)).toString()).toBe('ok');
    });
  });

  describe('cancellation', () => {
    it('destroy stops reads and cancels source', async () => {
      const source = createCountingSource(() => Buffer.alloc(1024));
      const readable = streamBlob(blobOf(() => source.stream));

      await once(readable, 'readable');
      readable.destroy();
      await once(readable, 'close');
      const pullsAtDestroy = source.pulls;
      await delay(20);

      expect(source.cancelled).toBe(true);
      expect(source.pulls).toBe(pullsAtDestroy);
    });

    it('abort fails with the signal reason', async () => {
      const source = createCountingSource(() => never());
      const controller = new AbortController();
      const readable = streamBlob(
        blobOf(() => source.stream),
        { signal: controller.signal },
      );
      const reason = new Error('deploy cancelled');

      const failure = readError(readable);
      controller.abort(reason);

      expect(await failure).toBe(reason);
      expect(source.cancelled).toBe(true);
    });
  });

  describe('backpressure', () => {
    it('paused consumer bounds source pulls', async () => {
      const chunkSize = 1024;
      const chunkCount = 10_000;
      const source = createCountingSource((i) => (i < chunkCount ? Buffer.alloc(chunkSize) : null));
      const readable = streamBlob(blobOf(() => source.stream));

      readable.pause();
      await once(readable, 'readable');
      await delay(50);
      const maxBufferedChunks = Math.ceil(readable.readableHighWaterMark / chunkSize) + 1;

      expect(source.pulls).toBeLessThanOrEqual(maxBufferedChunks);
      readable.destroy();
    });

    it('keeps memory flat for a 200 MB payload', async () => {
      const chunkSize = 64 * 1024;
      const totalBytes = 200 * 1024 * 1024;
      const chunkCount = totalBytes / chunkSize;
      const expectedHash = createHash('sha256');
      const chunk = Buffer.alloc(chunkSize, 7);
      for (let i = 0; i < chunkCount; i += 1) expectedHash.update(chunk);

      let consumedBytes = 0;
      let maxAheadBytes = 0;
      const source = createCountingSource((i) => {
        if (i >= chunkCount) return null;
        maxAheadBytes = Math.max(maxAheadBytes, i * chunkSize - consumedBytes);
        return Buffer.alloc(chunkSize, 7);
      });
      const sink = new Writable({
        highWaterMark: chunkSize,
        write(data: Buffer, _encoding, callback) {
          consumedBytes += data.length;
          setImmediate(callback);
        },
      });

      await pipeline(
        streamBlob(blobOf(() => source.stream)),
        createPayloadVerifier({
          expectedSize: totalBytes,
          expectedHash: expectedHash.digest('hex'),
        }),
        sink,
      );

      expect(consumedBytes).toBe(totalBytes);
      expect(maxAheadBytes).toBeLessThanOrEqual(8 * chunkSize);
    });
  });

  describe('expected size', () => {
    it('ends at the size without the source end', async () => {
      const source = createCountingSource((i) => (i < 2 ? Buffer.from(`c${i}`) : never()));
      const readable = streamBlob(
        blobOf(() => source.stream),
        { idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS, expectedBytes: 4 },
      );

      expect((await readAll(readable)).toString()).toBe('c0c1');
      expect(source.cancelled).toBe(true);
    });

    it('ends when a late size matches', async () => {
      const source = createCountingSource((i) => (i < 2 ? Buffer.from(`c${i}`) : never()));
      let resolveSize: (bytes: number) => void = () => undefined;
      const size = new Promise<number>((resolve) => {
        resolveSize = resolve;
      });
      const readable = streamBlob(
        blobOf(() => source.stream),
        { expectedBytes: size },
      );
      const read = readAll(readable);
      await delay(20);

      resolveSize(4);

      expect((await read).toString()).toBe('c0c1');
      expect(source.cancelled).toBe(true);
    });

    it('reads past a smaller size to the end', async () => {
      const source = createCountingSource((i) => (i < 2 ? Buffer.from(`c${i}`) : null));
      const readable = streamBlob(
        blobOf(() => source.stream),
        { expectedBytes: 3 },
      );

      expect((await readAll(readable)).toString()).toBe('c0c1');
      expect(source.cancelled).toBe(false);
    });

    it('keeps the idle timeout below the size', async () => {
      const source = createCountingSource((i) => (i === 0 ? Buffer.from('c0') : never()));
      const readable = streamBlob(
        blobOf(() => source.stream),
        { idleTimeoutMs: SHORT_IDLE_TIMEOUT_MS, expectedBytes: 4 },
      );

      expect(await readError(readable)).toBeInstanceOf(BlobIdleTimeoutError);
    });

    it('ends at once for a size of 0', async () => {
      const source = createCountingSource(() => never());
      const readable = streamBlob(
        blobOf(() => source.stream),
        { expectedBytes: 0 },
      );

      expect((await readAll(readable)).length).toBe(0);
    });

    it('ignores a size promise that rejects', async () => {
      const source = createCountingSource((i) => (i < 2 ? Buffer.from(`c${i}`) : null));
      const readable = streamBlob(
        blobOf(() => source.stream),
        {
          expectedBytes: Promise.reject(new Error('row ended')),
        },
      );

      expect((await readAll(readable)).toString()).toBe('c0c1');
    });

    it('rejects a size that is not a byte count', () => {
      const blob = blobOf(() => Readable.from([]));

      expect(() => streamBlob(blob, { expectedBytes: -1 })).toThrow(InvalidByteCountError);
      expect(() => streamBlob(blob, { expectedBytes: 1.5 })).toThrow(
        'expectedBytes must be a whole number of bytes, 0 or more, got number 1.5',
      );
    });
  });

  describe('input checks', () => {
    it('rejects a chunk that is not bytes', async () => {
      const readable = streamBlob(blobOf(() => Readable.from([{ not: 'bytes' }])));

      expect(await readError(readable)).toBeInstanceOf(InvalidBlobChunkError);
    });

    it('rejects a zero idle timeout', () => {
      const blob = blobOf(() => Readable.from([]));

      expect(() => streamBlob(blob, { idleTimeoutMs: 0 })).toThrow(InvalidTimeoutError);
    });

    it('rejects a negative retry count', () => {
      const blob = blobOf(() => Readable.from([]));

      expect(() => streamBlob(blob, { retries: -1 })).toThrow(InvalidRetryCountError);
    });
  });
});
