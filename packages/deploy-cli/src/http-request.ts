import type {
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
} from 'node:http';
import { request as httpRequest, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConnectionError, ServerRejectedError } from './errors.js';

/** Maximum size of an error or JSON body read into memory, in bytes. Longer bodies are truncated. */
export const MAX_RESPONSE_BODY_BYTES = 1024 * 1024;

/** Maximum length of the server's error text quoted in a message, in characters. */
export const MAX_ERROR_DETAIL_CHARS = 500;

/** Options of createHttpRequest. */
export interface HttpRequestOptions {
  url: URL;
  method: 'GET' | 'POST';
  headers: OutgoingHttpHeaders;
  signal?: AbortSignal;
}

/**
 * Opens an HTTP or HTTPS request without a keep-alive agent, so no idle socket keeps the
 * process alive after the command finishes.
 */
export function createHttpRequest(options: HttpRequestOptions): ClientRequest {
  const send = options.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return send(options.url, {
    method: options.method,
    headers: options.headers,
    agent: false,
    signal: options.signal,
  });
}

/** Resolves with the response, or rejects with a ConnectionError when the request fails first. */
export function waitForResponse(
  request: ClientRequest,
  displayUrl: string,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request.once('response', resolve);
    // `on`, not `once`: the socket can emit a second error after the first, and an error
    // event without a listener would crash the process.
    request.on('error', (error) => reject(toConnectionError(error, displayUrl)));
  });
}

/** Sends a GET request and resolves with the response, whatever its status. */
export function sendGetRequest(
  options: Omit<HttpRequestOptions, 'method'>,
): Promise<IncomingMessage> {
  const request = createHttpRequest({ ...options, method: 'GET' });
  const response = waitForResponse(request, options.url.origin);
  request.end();
  return response;
}

/**
 * Wraps a socket, DNS or TLS error in a ConnectionError that names the server. TLS failures get
 * a hint about NODE_EXTRA_CA_CERTS, the Node.js variable for trusting a private certificate
 * authority.
 */
export function toConnectionError(error: unknown, displayUrl: string): ConnectionError {
  const cause = error instanceof Error ? error : new Error(String(error));
  const code = (cause as NodeJS.ErrnoException).code;
  let message = `could not connect to ${displayUrl}: ${cause.message}`;
  if (code !== undefined && /CERT|TLS|SSL/.test(code)) {
    message += ' (to trust a private certificate authority, set NODE_EXTRA_CA_CERTS)';
  }
  return new ConnectionError(message, { code, cause });
}

/** Returns whether the status is 2xx. */
export function isSuccessStatus(response: IncomingMessage): boolean {
  const status = response.statusCode ?? 0;
  return status >= 200 && status < 300;
}

/** Reads the body as UTF-8 text, stopping after MAX_RESPONSE_BODY_BYTES. */
export async function readBodyText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    length += buffer.length;
    if (length >= MAX_RESPONSE_BODY_BYTES) {
      response.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY_BYTES).toString('utf8');
}

/**
 * Builds the error for a non-2xx response from its JSON body `{error, code}`. A body that is not
 * that JSON shape is quoted as text, and a body that cannot be read is replaced by the status
 * text.
 */
export async function readRejection(response: IncomingMessage): Promise<ServerRejectedError> {
  const status = response.statusCode ?? 0;
  const statusLine = `${status} ${response.statusMessage || STATUS_CODES[status] || ''}`.trim();
  let text = '';
  try {
    text = (await readBodyText(response)).trim();
  } catch {
    // The server may close the socket right after an early rejection. The status line remains.
  }

  let detail = text;
  let code: string | undefined;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null) {
      const record = body as Record<string, unknown>;
      if (typeof record.error === 'string') detail = record.error;
      else if (typeof record.message === 'string') detail = record.message;
      if (typeof record.code === 'string') code = record.code;
    }
  } catch {
    // Not JSON: the text is quoted as it is.
  }

  if (detail.length > MAX_ERROR_DETAIL_CHARS) {
    detail = `${detail.slice(0, MAX_ERROR_DETAIL_CHARS)}…`;
  }
  const message =
    detail === ''
      ? `server rejected the request (${statusLine})`
      : `server rejected the request (${statusLine}): ${detail}`;
  return new ServerRejectedError(message, { status, code });
}

/** Reads a JSON body, or throws ServerRejectedError for a non-2xx status. */
export async function readJsonResponse(response: IncomingMessage): Promise<unknown> {
  if (!isSuccessStatus(response)) {
    throw await readRejection(response);
  }
  const text = await readBodyText(response);
  try {
    return JSON.parse(text);
  } catch {
    throw new ServerRejectedError(
      `server sent an invalid JSON body (status ${response.statusCode}, content-type ${response.headers['content-type'] ?? 'missing'})`,
      { status: response.statusCode ?? 0 },
    );
  }
}

/** Returns whether the response is a server-sent event stream. */
export function isEventStream(headers: IncomingHttpHeaders): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream');
}
