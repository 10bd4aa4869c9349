import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractPayload } from './extract.js';

type Entry = Partial<tarStream.Header> & { name: string; content?: string };

async function tarball(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(header as tarStream.Header, content ?? '', (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
  pack.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks));
}

const LIMITS = { maxArchiveEntries: 50, maxExpandedBytes: 1024 * 1024 };
let workDir: string;
let target: string;

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'extract-test-'));
  target = join(workDir, 'staging');
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('extractPayload', () => {
  it('extracts files and flattens a single top-level folder', async () => {
    const payload = await tarball([
      { name: 'app/', type: 'directory' },
      { name: 'app/config.yaml', content: 'rest: true\n' },
      { name: 'app/lib/index.js', content: 'export {};\n' },
    ]);
    const result = await extractPayload(Readable.from([payload]), target, LIMITS);
    expect(result.flattened).toBe('app');
    expect(await readFile(join(target, 'config.yaml'), 'utf8')).toBe('rest: true\n');
    expect(existsSync(join(target, 'lib', 'index.js'))).toBe(true);
  });

  it('keeps a symlink that stays inside the folder', async () => {
    const payload = await tarball([
      { name: 'index.js', content: 'x' },
      { name: 'alias.js', type: 'symlink', linkname: 'index.js' },
    ]);
    await extractPayload(Readable.from([payload]), target, LIMITS);
    expect(await readlink(join(target, 'alias.js'))).toBe('index.js');
  });

  const rejected: Array<[string, Entry[], RegExp]> = [
    ['a .. entry', [{ name: '../escape.js', content: 'x' }], /contains '\.\.'/],
    ['a nested .. entry', [{ name: 'a/../../escape.js', content: 'x' }], /contains '\.\.'/],
    ['an absolute path', [{ name: '/etc/cron.d/evil', content: 'x' }], /absolute path/],
    [
      'an absolute symlink',
      [{ name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }],
      /absolute path/,
    ],
    [
      'a symlink outside',
      [{ name: 'a/link', type: 'symlink', linkname: '../../outside' }],
      /outside the component folder/,
    ],
    [
      'a hard link outside',
      [{ name: 'hard', type: 'link', linkname: '../outside' }],
      /contains '\.\.'|outside the component folder/,
    ],
    [
      'a character device',
      [{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }],
      /character-device/,
    ],
    ['a fifo', [{ name: 'pipe', type: 'fifo' }], /fifo/],
  ];

  for (const [label, entries, message] of rejected) {
    it(`rejects ${label} and leaves nothing behind`, async () => {
      const payload = await tarball([{ name: 'ok.js', content: 'x' }, ...entries]);
      await expect(extractPayload(Readable.from([payload]), target, LIMITS)).rejects.toThrow(
        message,
      );
      expect(existsSync(target)).toBe(false);
      expect(existsSync(join(workDir, 'escape.js'))).toBe(false);
    });
  }

  it('rejects an archive with too many entries', async () => {
    const entries = Array.from({ length: 60 }, (_, index) => ({
      name: `f${index}.txt`,
      content: 'x',
    }));
    await expect(
      extractPayload(Readable.from([await tarball(entries)]), target, LIMITS),
    ).rejects.toThrow(/more than 50 entries/);
    expect(existsSync(target)).toBe(false);
  });

  it('rejects an archive that expands past the limit', async () => {
    const payload = await tarball([{ name: 'big.bin', content: 'a'.repeat(2 * 1024 * 1024) }]);
    expect(payload.length).toBeLessThan(64 * 1024);
    await expect(extractPayload(Readable.from([payload]), target, LIMITS)).rejects.toThrow(
      /expands to more than/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('rejects a payload that is not gzip', async () => {
    await expect(
      extractPayload(Readable.from([Buffer.from('plain text')]), target, LIMITS),
    ).rejects.toThrow(/not a gzip tarball/);
  });

  it('rejects gzip data that is not a tar archive', async () => {
    const payload = gzipSync(Buffer.from('x'.repeat(2000)));
    await expect(extractPayload(Readable.from([payload]), target, LIMITS)).rejects.toThrow(
      /not a tar archive|could not be extracted/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('rejects a truncated archive', async () => {
    const payload = await tarball([{ name: 'a.txt', content: 'a'.repeat(100_000) }]);
    const truncated = payload.subarray(0, Math.floor(payload.length / 2));
    await expect(extractPayload(Readable.from([truncated]), target, LIMITS)).rejects.toThrow(
      /truncated/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('rejects an empty archive', async () => {
    await expect(
      extractPayload(Readable.from([await tarball([])]), target, LIMITS),
    ).rejects.toThrow(/empty archive/);
  });
});
