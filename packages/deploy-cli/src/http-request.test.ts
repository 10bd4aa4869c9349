import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ERROR_DETAIL_CHARS, readRejection, sendGetRequest } from './http-request.js';

let server: Server | undefined;

afterEach(async () => {
  server?.close();
  if (server !== undefined) await once(server, 'close');
  server = undefined;
});

/** Starts a server on 127.0.0.1 that sends one fixed response and returns its URL. */
async function serve(status: number, contentType: string, body: string): Promise<URL> {
  server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
}

describe('readRejection', () => {
  it('uses the error and code of a JSON body', async () => {
    const url = await serve(
      409,
      'application/json',
      JSON.stringify({ error: 'busy', code: 'IN_PROGRESS' }),
    );
    const rejection = await readRejection(await sendGetRequest({ url, headers: {} }));
    expect(rejection.message).toBe('server rejected the request (409 Conflict): busy');
    expect(rejection.code).toBe('IN_PROGRESS');
    expect(rejection.status).toBe(409);
  });

  it('quotes a text body', async () => {
    const url = await serve(502, 'text/plain', 'upstream down');
    const rejection = await readRejection(await sendGetRequest({ url, headers: {} }));
    expect(rejection.message).toBe('server rejected the request (502 Bad Gateway): upstream down');
  });

  it('truncates a long body', async () => {
    const url = await serve(500, 'text/html', 'x'.repeat(MAX_ERROR_DETAIL_CHARS * 2));
    const rejection = await readRejection(await sendGetRequest({ url, headers: {} }));
    expect(rejection.message).toHaveLength(
      'server rejected the request (500 Internal Server Error): '.length +
        MAX_ERROR_DETAIL_CHARS +
        1,
    );
  });

  it('falls back to the status line without a body', async () => {
    const url = await serve(403, 'application/json', '');
    const rejection = await readRejection(await sendGetRequest({ url, headers: {} }));
    expect(rejection.message).toBe('server rejected the request (403 Forbidden)');
  });
});
