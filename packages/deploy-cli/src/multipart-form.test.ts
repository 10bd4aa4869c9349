import { describe, expect, it } from 'vitest';
import { createMultipartFraming } from './multipart-form.js';
import { parseMultipart } from './test-support/parse-multipart.js';

describe('createMultipartFraming', () => {
  const payload = Buffer.from([0x1f, 0x8b, 0x00, 0x0d, 0x0a, 0x2d, 0x2d]);

  function roundTrip(fields: Array<[string, string]>, fileName = 'app.tar.gz') {
    const framing = createMultipartFraming(fields, {
      name: 'payload',
      fileName,
      contentType: 'application/gzip',
    });
    const body = Buffer.concat([framing.preamble, payload, framing.epilogue]);
    return parseMultipart(body, framing.contentType);
  }

  it('puts the fields before the file part, in order', () => {
    const parts = roundTrip([
      ['project', 'app'],
      ['restart', 'rolling'],
    ]);
    expect(parts.map((part) => part.name)).toEqual(['project', 'restart', 'payload']);
  });

  it('keeps the payload bytes intact', () => {
    const parts = roundTrip([['project', 'app']]);
    expect(parts.at(-1)?.body.equals(payload)).toBe(true);
  });

  it('keeps field values with line breaks intact', () => {
    const parts = roundTrip([['install_command', 'npm ci\r\nnpm run build']]);
    expect(parts[0]?.body.toString()).toBe('npm ci\r\nnpm run build');
  });

  it('escapes quotes in the file name', () => {
    const parts = roundTrip([['project', 'app']], 'my "app".tar.gz');
    expect(parts.at(-1)?.fileName).toBe('my %22app%22.tar.gz');
  });

  it('uses a new boundary each time', () => {
    const first = createMultipartFraming([], {
      name: 'payload',
      fileName: 'a',
      contentType: 'application/gzip',
    });
    const second = createMultipartFraming([], {
      name: 'payload',
      fileName: 'a',
      contentType: 'application/gzip',
    });
    expect(first.contentType).not.toBe(second.contentType);
  });
});
