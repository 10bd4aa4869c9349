import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, type HttpTransportOptions } from './create-http-transport.js';
import { createPeerResponse } from './create-peer-response.js';
import { createReplicateOperation } from './create-replicate-operation.js';
import { InvalidTimeoutError } from './errors.js';
import type { Peer, PeerReplicationResult } from './types.js';

const operation = { operation: 'deploy_component', _deploymentId: 'dep-1', project: 'shop' };
const NDJSON = { 'content-type': 'application/x-ndjson' };

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Starts a peer's HTTP server on 127.0.0.1 with a free port and returns it as a Peer. */
async function startPeer(name: string, handler: Handler): Promise<Peer> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { name, url: `http://127.0.0.1:${port}` };
}

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

function resultLine(result: Record<string, unknown> = {}): string {
  return line({
    type: 'result',
    result: { status: 'success', started_at: 1, completed_at: 2, ...result },
  });
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends heartbeats every `intervalMs` for `durationMs`, then the result line. */
function heartbeatsThenResult(intervalMs: number, durationMs: number): Handler {
  return (_request, response) => {
    response.writeHead(200, NDJSON);
    response.write(line({ type: 'heartbeat' }));
    const timer = setInterval(() => response.write(line({ type: 'heartbeat' })), intervalMs);
    setTimeout(() => {
      clearInterval(timer);
      response.end(resultLine({ result: { message: 'installed' } }));
    }, durationMs);
    response.on('close', () => clearInterval(timer));
  };
}

async function replicateTo(
  peers: Peer[],
  options: Omit<HttpTransportOptions, 'peers'> = {},
): Promise<PeerReplicationResult[]> {
  const transport = createHttpTransport({ peers: () => peers, ...options });
  const replicate = createReplicateOperation({ transport });
  return (await replicate(operation)).replicated;
}

describe('createHttpTransport', () => {
  it('succeeds with heartbeats, events and a result', async () => {
    const events: unknown[] = [];
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.write(line({ type: 'heartbeat' }));
      response.write(line({ type: 'event', event: { kind: 'install', line: 'added 3' } }));
      response.end(resultLine({ result: { message: 'installed' } }));
    });

    const [result] = await replicateTo([peer], {
      onEvent: (_peer, event) => events.push(event),
    });

    expect(result).toEqual({
      node: 'node-b',
      status: 'success',
      error: null,
      started_at: 1,
      completed_at: 2,
      result: { message: 'installed' },
    });
    expect(events).toEqual([{ kind: 'install', line: 'added 3' }]);
  });

  it('POSTs JSON to /deploy_peer with headers', async () => {
    const received: Record<string, unknown> = {};
    const peer = await startPeer('node-b', (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => {
        Object.assign(received, {
          method: request.method,
          url: request.url,
          auth: request.headers.authorization,
          unset: request.headers['x-unset'],
          body: JSON.parse(body),
        });
        response.writeHead(200, NDJSON);
        response.end(resultLine());
      });
    });

    await replicateTo([peer], {
      headers: () => ({ authorization: 'Basic dGVzdDp0ZXN0', 'x-unset': undefined }),
    });

    expect(received).toEqual({
      method: 'POST',
      url: '/deploy_peer',
      auth: 'Basic dGVzdDp0ZXN0',
      unset: undefined,
      body: operation,
    });
  });

  it('fails a peer that never responds', async () => {
    const peer = await startPeer('node-silent', () => {});

    const [result] = await replicateTo([peer], { answerTimeoutMs: 200 });

    expect(result?.status).toBe('failed');
    expect(result?.error).toEqual({
      code: 'PEER_ANSWER_TIMEOUT',
      message: expect.stringMatching(/^peer node-silent did not answer within 200 ms/),
    });
  });

  it('fails a peer stalling after headers', async () => {
    const peer = await startPeer('node-stalled', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.write(line({ type: 'heartbeat' }));
    });

    const [result] = await replicateTo([peer], { idleTimeoutMs: 200 });

    expect(result?.error).toEqual({
      code: 'PEER_IDLE_TIMEOUT',
      message: expect.stringMatching(/^peer node-stalled sent no line for 200 ms/),
    });
  });

  it('heartbeats outlast the idle timeout', async () => {
    const idleTimeoutMs = 150;
    const peer = await startPeer('node-slow', heartbeatsThenResult(40, idleTimeoutMs * 4));

    const [result] = await replicateTo([peer], { idleTimeoutMs, answerTimeoutMs: idleTimeoutMs });

    expect(result?.status).toBe('success');
    expect(result?.result).toEqual({ message: 'installed' });
  });

  it('outlasts a short answerTimeoutMs on both layers', async () => {
    const timeoutMs = 150;
    const peer = await startPeer('node-slow', heartbeatsThenResult(40, timeoutMs * 4));
    const transport = createHttpTransport({
      peers: () => [peer],
      answerTimeoutMs: timeoutMs,
      idleTimeoutMs: timeoutMs,
    });
    const replicate = createReplicateOperation({ transport, answerTimeoutMs: timeoutMs });

    const { replicated } = await replicate(operation);

    expect(replicated[0]?.status).toBe('success');
  });

  it('fails non-2xx with the JSON error', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'This operation is restricted to super users' }));
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error).toEqual({
      code: 'PEER_HTTP_ERROR',
      message: 'peer node-b responded with HTTP 403: This operation is restricted to super users',
    });
  });

  it('fails non-2xx with the text body', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('bad gateway\n');
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error?.message).toBe('peer node-b responded with HTTP 502: bad gateway');
  });

  it('fails a response ending before its result', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.end(line({ type: 'heartbeat' }));
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error).toEqual({
      code: 'PEER_CONNECTION_CLOSED',
      message: expect.stringMatching(
        /^peer node-b closed the connection before sending its result/,
      ),
    });
  });

  it('fails a reset during the response', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.write(line({ type: 'heartbeat' }));
      setTimeout(() => response.socket?.destroy(), 20);
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error?.code).toBe('PEER_CONNECTION_CLOSED');
  });

  it('fails a reset before the headers', async () => {
    const peer = await startPeer('node-b', (request) => {
      request.socket.destroy();
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error?.code).toBe('PEER_CONNECTION_CLOSED');
  });

  it('fails a refused connection', async () => {
    const peer = await startPeer('node-down', () => {});
    const server = servers.pop();
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const [result] = await replicateTo([peer]);

    expect(result?.error).toEqual({
      code: 'PEER_REQUEST_FAILED',
      message: expect.stringMatching(/^request to peer node-down at http:\/\/127\.0\.0\.1:\d+/),
    });
  });

  it('fails a line that is not JSON', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.end('<html>proxy error</html>\n');
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error?.code).toBe('PEER_PROTOCOL_ERROR');
  });

  it('accepts a result line without a final line break', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.end(resultLine().trimEnd());
    });

    const [result] = await replicateTo([peer]);

    expect(result?.status).toBe('success');
  });

  it('accepts a plain JSON response', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Successfully deployed: shop' }));
    });

    const [result] = await replicateTo([peer]);

    expect(result?.result).toEqual({ message: 'Successfully deployed: shop' });
  });

  it('fails a ws URL without peerUrl', async () => {
    const [result] = await replicateTo([{ name: 'node-b', url: 'wss://127.0.0.1:9933' }]);

    expect(result?.error?.code).toBe('INVALID_PEER_URL');
  });

  it('maps a peer with peerUrl', async () => {
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.end(resultLine());
    });
    const replicationPeer = { name: 'node-b', url: 'wss://127.0.0.1:9933' };

    const [result] = await replicateTo([replicationPeer], { peerUrl: () => peer.url });

    expect(result?.status).toBe('success');
  });

  it('ends the request when the caller aborts', async () => {
    let closed = false;
    const peer = await startPeer('node-b', (_request, response) => {
      response.writeHead(200, NDJSON);
      response.write(line({ type: 'heartbeat' }));
      response.on('close', () => {
        closed = true;
      });
    });
    const transport = createHttpTransport({ peers: () => [peer] });
    const controller = new AbortController();
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation, { signal: controller.signal });
    await wait(50);
    controller.abort(new Error('deploy cancelled'));
    const { replicated } = await response;
    await wait(50);

    expect(replicated[0]?.error?.message).toBe('deploy cancelled');
    expect(closed).toBe(true);
  });

  it('keeps one result per peer', async () => {
    const good = await startPeer('node-a', heartbeatsThenResult(20, 60));
    const bad = await startPeer('node-b', (_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'disk full' }));
    });

    const results = await replicateTo([good, bad]);

    expect(results.map((result) => [result.node, result.status])).toEqual([
      ['node-a', 'success'],
      ['node-b', 'failed'],
    ]);
  });

  it('reads a createPeerResponse body', async () => {
    const peer = await startPeer('node-b', async (_request, response) => {
      response.writeHead(200, NDJSON);
      const work = new Promise((resolve) => setTimeout(() => resolve({ message: 'ok' }), 300));
      for await (const text of createPeerResponse(work, { heartbeatMs: 30 })) {
        response.write(text);
      }
      response.end();
    });

    const [result] = await replicateTo([peer], { idleTimeoutMs: 100 });

    expect(result?.status).toBe('success');
    expect(result?.result).toEqual({ message: 'ok' });
  });

  it('reports a failed createPeerResponse work', async () => {
    const peer = await startPeer('node-b', async (_request, response) => {
      response.writeHead(200, NDJSON);
      const failure = Object.assign(new Error('npm install exited with 1'), {
        code: 'INSTALL_FAILED',
      });
      for await (const text of createPeerResponse(Promise.reject(failure))) {
        response.write(text);
      }
      response.end();
    });

    const [result] = await replicateTo([peer]);

    expect(result?.error).toEqual({ message: 'npm install exited with 1', code: 'INSTALL_FAILED' });
  });

  it.each([
    ['answerTimeoutMs', 0],
    ['idleTimeoutMs', -1],
    ['idleTimeoutMs', Number.POSITIVE_INFINITY],
  ])('rejects %s %s', (option, value) => {
    expect(() => createHttpTransport({ peers: () => [], [option]: value })).toThrow(
      InvalidTimeoutError,
    );
  });
});
