import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { parseUpload } from './upload.js';

const LIMITS = { maxPayloadBytes: 1000, maxFieldBytes: 100, maxFields: 5, maxJsonBodyBytes: 5000 };
let server: Server;
let url: string;

// The server parses each upload and responds with what it parsed, or with the error's status.
beforeAll(async () => {
  server = createServer(async (request, response) => {
    try {
      const upload = await parseUpload(request, LIMITS);
      const chunks: Buffer[] = [];
      for await (const chunk of upload.payload) chunks.push(chunk as Buffer);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ fields: upload.fields, bytes: Buffer.concat(chunks).length }));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      response.end(
        JSON.stringify({ error: (error as Error).message, code: (error as HttpError).code }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const BOUNDARY = 'test-boundary';

function part(name: string, value: string, filename?: string): string {
  const disposition = filename
    ? `form-data; name="${name}"; filename="${filename}"`
    : `form-data; name="${name}"`;
  return `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${filename ? 'Content-Type: application/gzip\r\n' : ''}\r\n${value}\r\n`;
}

async function post(body: string, contentType = `multipart/form-data; boundary=${BOUNDARY}`) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      error?: string;
      code?: string;
      fields?: Record<string, string>;
      bytes?: number;
    },
  };
}

describe('parseUpload', () => {
  it('reads the fields and then the payload', async () => {
    const result = await post(
      part('project', 'app') +
        part('restart', 'none') +
        part('payload', 'abcdef', 'p.tgz') +
        `--${BOUNDARY}--\r\n`,
    );
    expect(result.status).toBe(200);
    expect(result.body.fields).toEqual({ project: 'app', restart: 'none' });
    expect(result.body.bytes).toBe(6);
  });

  const cases: Array<[string, string, number, RegExp]> = [
    ['a missing payload', `${part('project', 'app')}--${BOUNDARY}--\r\n`, 400, /missing payload/],
    [
      'a field after the file',
      `${part('payload', 'abc', 'p.tgz') + part('project', 'app')}--${BOUNDARY}--\r\n`,
      400,
      /after the payload file/,
    ],
    [
      'two files',
      `${part('payload', 'abc', 'p.tgz') + part('other', 'def', 'o.tgz')}--${BOUNDARY}--\r\n`,
      400,
      /more than one file/,
    ],
    [
      'a wrongly named file',
      `${part('upload', 'abc', 'p.tgz')}--${BOUNDARY}--\r\n`,
      400,
      /name the file part payload/,
    ],
    [
      'an oversized field',
      `${part('project', 'x'.repeat(200)) + part('payload', 'abc', 'p.tgz')}--${BOUNDARY}--\r\n`,
      413,
      /larger than 100 bytes/,
    ],
    [
      'too many fields',
      Array.from({ length: 7 }, (_, index) => part(`f${index}`, 'v')).join('') +
        part('payload', 'a', 'p.tgz') +
        `--${BOUNDARY}--\r\n`,
      400,
      /more than 5 fields|more than 6 parts/,
    ],
    [
      'a payload over the maximum',
      `${part('project', 'app') + part('payload', 'x'.repeat(2000), 'p.tgz')}--${BOUNDARY}--\r\n`,
      413,
      /maximum of 1000 bytes/,
    ],
    [
      'a prototype-polluting field',
      `${part('__proto__', 'x') + part('payload', 'abc', 'p.tgz')}--${BOUNDARY}--\r\n`,
      400,
      /__proto__/,
    ],
    [
      'a body cut before its end',
      part('project', 'app') +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="project2"\r\n\r\nunfinished`,
      400,
      /malformed multipart|missing payload/,
    ],
  ];

  for (const [label, body, status, message] of cases) {
    it(`rejects ${label}`, async () => {
      const result = await post(body);
      expect(result.status).toBe(status);
      expect(result.body.error).toMatch(message);
    });
  }

  it('rejects a multipart request without a boundary', async () => {
    const result = await post('x', 'multipart/form-data');
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('MALFORMED_MULTIPART');
  });

  it('rejects an unsupported content type', async () => {
    const result = await post('x', 'text/plain');
    expect(result.status).toBe(415);
  });

  it('accepts JSON with a base64 payload', async () => {
    const result = await post(
      JSON.stringify({ project: 'app', payload: Buffer.from('hello').toString('base64') }),
      'application/json',
    );
    expect(result.status).toBe(200);
    expect(result.body.bytes).toBe(5);
  });

  it('rejects JSON whose payload is not base64', async () => {
    const result = await post(
      JSON.stringify({ project: 'app', payload: '###' }),
      'application/json',
    );
    expect(result.status).toBe(400);
    expect(result.body.error).toMatch(/not base64/);
  });
});
