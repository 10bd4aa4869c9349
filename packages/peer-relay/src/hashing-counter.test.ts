import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { HashNotFinishedError } from './errors.js';
import { createHashingCounter } from './hashing-counter.js';

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}

describe('createHashingCounter', () => {
  it('counts the bytes that pass through', async () => {
    const counter = createHashingCounter();

    await pipeline(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), counter, discard());

    expect(counter.bytes).toBe(7);
  });

  it('computes the sha256 of the bytes', async () => {
    const counter = createHashingCounter();
    const expected = createHash('sha256').update('abcdefg').digest('hex');

    await pipeline(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), counter, discard());

    expect(counter.digest()).toBe(expected);
  });

  it('passes the data through unchanged', async () => {
    const counter = createHashingCounter();
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });

    await pipeline(Readable.from([Buffer.from('abc')]), counter, sink);

    expect(Buffer.concat(received).toString()).toBe('abc');
  });

  it('rejects digest() before the input ends', () => {
    const counter = createHashingCounter();
    counter.write(Buffer.from('abc'));

    expect(() => counter.digest()).toThrow(HashNotFinishedError);
    counter.destroy();
  });
});
