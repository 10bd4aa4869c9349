import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  InvalidPayloadExpectationError,
  PayloadHashMismatchError,
  PayloadSizeMismatchError,
} from './errors.js';
import { createPayloadVerifier } from './payload-verifier.js';

const payload = Buffer.from('component tarball bytes');
const payloadHash = createHash('sha256').update(payload).digest('hex');

/** Pipes `chunks` through a verifier and returns the bytes that came out and any error. */
async function verify(
  chunks: Buffer[],
  expected: { expectedSize: number; expectedHash: string },
): Promise<{ output: Buffer; error: unknown }> {
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      callback();
    },
  });
  let error: unknown = null;
  try {
    await pipeline(Readable.from(chunks), createPayloadVerifier(expected), sink);
  } catch (caught) {
    error = caught;
  }
  return { output: Buffer.concat(received), error };
}

describe('createPayloadVerifier', () => {
  it('passes an intact payload through unchanged', async () => {
    const chunks = [payload.subarray(0, 5), payload.subarray(5)];

    const result = await verify(chunks, {
      expectedSize: payload.length,
      expectedHash: payloadHash,
    });

    expect(result.error).toBeNull();
    expect(result.output.equals(payload)).toBe(true);
  });

  it('accepts an uppercase expected hash', async () => {
    const expected = { expectedSize: payload.length, expectedHash: payloadHash.toUpperCase() };

    expect((await verify([payload], expected)).error).toBeNull();
  });

  it('accepts an empty payload', async () => {
    const emptyHash = createHash('sha256').digest('hex');

    expect((await verify([], { expectedSize: 0, expectedHash: emptyHash })).error).toBeNull();
  });

  it('truncated payload fails on size', async () => {
    const result = await verify([payload.subarray(0, 10)], {
      expectedSize: payload.length,
      expectedHash: payloadHash,
    });

    expect(result.error).toBeInstanceOf(PayloadSizeMismatchError);
  });

  it('truncation error reports both sizes', async () => {
    const result = await verify([payload.subarray(0, 10)], {
      expectedSize: payload.length,
      expectedHash: payloadHash,
    });

    expect(result.error).toMatchObject({
      code: 'PAYLOAD_SIZE_MISMATCH',
      expectedSize: payload.length,
      actualSize: 10,
      message: expect.stringMatching(/^payload truncated: got 10 of 23 bytes/),
    });
  });

  it('oversize fails at the first excess chunk', async () => {
    const extra = Buffer.from('more');
    const trailing = Buffer.from('never forwarded');

    const result = await verify([payload, extra, trailing], {
      expectedSize: payload.length,
      expectedHash: payloadHash,
    });

    expect(result.error).toMatchObject({
      code: 'PAYLOAD_SIZE_MISMATCH',
      actualSize: payload.length + extra.length,
    });
    expect(result.output.equals(payload)).toBe(true);
  });

  it('corrupted payload fails on hash', async () => {
    const corrupted = Buffer.from(payload);
    corrupted[3] = (corrupted[3] ?? 0) ^ 0xff;

    const result = await verify([corrupted], {
      expectedSize: payload.length,
      expectedHash: payloadHash,
    });

    expect(result.error).toBeInstanceOf(PayloadHashMismatchError);
  });

  it('hash error reports both digests', async () => {
    const corrupted = Buffer.from(payload);
    corrupted[0] = (corrupted[0] ?? 0) ^ 0xff;
    const corruptedHash = createHash('sha256').update(corrupted).digest('hex');

    const result = await verify([corrupted], {
      expectedSize: payload.length,
      expectedHash: payloadHash,
    });

    expect(result.error).toMatchObject({
      code: 'PAYLOAD_HASH_MISMATCH',
      message: expect.stringMatching(
        new RegExp(`^payload corrupted: sha256 ${corruptedHash} does not match ${payloadHash}`),
      ),
    });
  });

  it.each([-1, 1.5, Number.NaN, '23'])('rejects expectedSize %s', (expectedSize) => {
    const options = { expectedSize: expectedSize as number, expectedHash: payloadHash };

    expect(() => createPayloadVerifier(options)).toThrow(InvalidPayloadExpectationError);
  });

  it.each(['', 'abc', 'g'.repeat(64), payloadHash.slice(1)])(
    'rejects expectedHash %j',
    (expectedHash) => {
      const options = { expectedSize: payload.length, expectedHash };

      expect(() => createPayloadVerifier(options)).toThrow(InvalidPayloadExpectationError);
    },
  );
});
