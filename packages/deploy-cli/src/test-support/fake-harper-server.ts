import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { listTarEntries } from './list-tar-entries.js';
import { parseMultipart } from './parse-multipart.js';

/** A deploy request after the fake server checked and decoded it. */
export interface ReceivedUpload {
  headers: IncomingHttpHeaders;
  /** Field values by name, without the payload. */
  fields: Record<string, string>;
  /** Names of all parts in body order, `payload` included. */
  partOrder: string[];
  payloadFileName: string | undefined;
  payloadContentType: string | undefined;
  /** Names of the entries in the gunzipped payload tarball. */
  payloadEntries: string[];
}

/** A `GET /deployments/<id>` request. */
export interface ReceivedWatch {
  deploymentId: string;
  lastEventId: string | undefined;
  accept: string | undefined;
}

/** Handlers that script the fake server's responses. Routes without a handler return 404. */
export interface FakeHarperServerOptions {
  username: string;
  password: string;
  onDeploy?: (upload: ReceivedUpload, response: ServerResponse) => void | Promise<void>;
  onWatch?: (watch: ReceivedWatch, response: ServerResponse) => void | Promise<void>;
  onList?: (query: URLSearchParams, response: ServerResponse) => void | Promise<void>;
  /**
   * Leave deploy bodies unread until resumeStalledUploads, so the client's upload stalls once the
   * socket buffers fill.
   */
  stallUploads?: boolean;
  /** Responds to a deploy as soon as its headers arrive, without reading the body. */
  answerBeforeBody?: (response: ServerResponse) => void;
}

/** A running fake server on 127.0.0.1. */
export interface FakeHarperServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  uploads: ReceivedUpload[];
  watches: ReceivedWatch[];
  /** Query strings of `GET /deployments` requests. */
  listQueries: URLSearchParams[];
  /** Messages of requests the server rejected as malformed, such as fields after the payload. */
  protocolErrors: string[];
  /** Resolves when the first deploy request's headers have arrived. */
  uploadStarted: Promise<void>;
  /** Resolves with whether the first deploy request closed before its body was complete. */
  uploadClosedEarly: Promise<boolean>;
  /**
   * Reads and discards the stalled deploy bodies. A paused socket does not notice that the client
   * closed it, so uploadClosedEarly resolves only after this.
   */
  resumeStalledUploads(): void;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1, on a free port, that follows the deploy routes' contract:
 * Basic auth, a multipart deploy with all fields before one gzipped tar `payload` part, and SSE
 * streams. Malformed deploys get a 400 and are listed in `protocolErrors`.
 */
export async function startFakeHarperServer(
  options: FakeHarperServerOptions,
): Promise<FakeHarperServer> {
  const expectedAuthorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const uploads: ReceivedUpload[] = [];
  const watches: ReceivedWatch[] = [];
  const listQueries: URLSearchParams[] = [];
  const protocolErrors: string[] = [];
  const stalledRequests: IncomingMessage[] = [];
  let markUploadStarted: () => void = () => {};
  let markUploadClosed: (early: boolean) => void = () => {};
  const uploadStarted = new Promise<void>((resolve) => {
    markUploadStarted = resolve;
  });
  const uploadClosedEarly = new Promise<boolean>((resolve) => {
    markUploadClosed = resolve;
  });

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      protocolErrors.push(String(error));
      if (!response.headersSent) sendJsonError(response, 500, String(error));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.headers.authorization !== expectedAuthorization) {
      request.resume();
      sendJsonError(response, 401, 'Login failed', 'UNAUTHORIZED');
      return;
    }

    if (request.method === 'POST' && url.pathname === '/deploy_component') {
      markUploadStarted();
      // The socket, not the request: an unread request emits no 'close' when the client goes away.
      request.socket.once('close', () => markUploadClosed(!request.complete));
      if (options.answerBeforeBody !== undefined) {
        options.answerBeforeBody(response);
        return;
      }
      if (options.stallUploads) {
        stalledRequests.push(request);
        return;
      }

      const body = await readBody(request);
      const upload = await decodeUpload(request.headers, body, protocolErrors);
      if (upload === undefined) {
        sendJsonError(response, 400, protocolErrors.at(-1) ?? 'malformed upload', 'BAD_UPLOAD');
        return;
      }
      uploads.push(upload);
      if (options.onDeploy === undefined) return sendJsonError(response, 404, 'no deploy handler');
      await options.onDeploy(upload, response);
      return;
    }

    const watchMatch = /^\/deployments\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && watchMatch !== null) {
      const watch: ReceivedWatch = {
        deploymentId: decodeURIComponent(watchMatch[1] ?? ''),
        lastEventId: headerValue(request.headers['last-event-id']),
        accept: request.headers.accept,
      };
      watches.push(watch);
      if (options.onWatch === undefined)
        return sendJsonError(response, 404, 'deployment not found', 'NOT_FOUND');
      await options.onWatch(watch, response);
      return;
    }

    if (request.method === 'GET' && url.pathname === '/deployments') {
      listQueries.push(url.searchParams);
      if (options.onList === undefined) return sendJsonError(response, 404, 'no list handler');
      await options.onList(url.searchParams, response);
      return;
    }

    sendJsonError(response, 404, `no route for ${request.method} ${url.pathname}`);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    uploads,
    watches,
    listQueries,
    protocolErrors,
    uploadStarted,
    uploadClosedEarly,
    resumeStalledUploads: () => {
      for (const request of stalledRequests) request.resume();
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** One event to send on an SSE stream. */
export interface ScriptedEvent {
  id?: number;
  event: string;
  data: unknown;
}

/** Sends the 200 head of an SSE stream and the comment line the real server sends at once. */
export function startEventStream(response: ServerResponse, deploymentId?: string): void {
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
  };
  if (deploymentId !== undefined) headers['x-deployment-id'] = deploymentId;
  response.writeHead(200, headers);
  response.write(': stream open\n\n');
}

/** Writes one SSE event. */
export function writeEvent(response: ServerResponse, event: ScriptedEvent): void {
  let text = '';
  if (event.id !== undefined) text += `id: ${event.id}\n`;
  text += `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
  response.write(text);
}

/** Sends a JSON error body in the server's `{error, code}` shape. */
export function sendJsonError(
  response: ServerResponse,
  status: number,
  message: string,
  code?: string,
): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(code === undefined ? { error: message } : { error: message, code }));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function decodeUpload(
  headers: IncomingHttpHeaders,
  body: Buffer,
  protocolErrors: string[],
): Promise<ReceivedUpload | undefined> {
  const fail = (message: string) => {
    protocolErrors.push(message);
    return undefined;
  };
  if (!(headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    return fail(`expected multipart/form-data, got ${headers['content-type']}`);
  }
  if (headers.accept !== 'text/event-stream')
    return fail(`expected Accept: text/event-stream, got ${headers.accept}`);

  const parts = parseMultipart(body, headers['content-type'] ?? '');
  const payloadIndex = parts.findIndex((part) => part.name === 'payload');
  if (payloadIndex === -1) return fail('no payload part');
  if (payloadIndex !== parts.length - 1) return fail('fields after the payload part');
  const payload = parts[payloadIndex];
  if (payload === undefined) return fail('no payload part');

  const fields: Record<string, string> = {};
  for (const part of parts.slice(0, payloadIndex)) {
    if (part.fileName !== undefined) return fail(`unexpected file part ${part.name}`);
    fields[part.name] = part.body.toString('utf8');
  }
  if (fields.project === undefined) return fail('missing project field');

  let payloadEntries: string[];
  try {
    payloadEntries = (await listTarEntries(payload.body)).map((entry) => entry.name);
  } catch (error) {
    return fail(`payload is not a gzipped tarball: ${String(error)}`);
  }
  return {
    headers,
    fields,
    partOrder: parts.map((part) => part.name),
    payloadFileName: payload.fileName,
    payloadContentType: payload.contentType,
    payloadEntries,
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
