// This transport uses node:http rather than fetch because it controls the header deadline
// and the gap between lines directly, and no undici bodyTimeout can cut a long response.
import http from 'node:http';
import https from 'node:https';
import {
  CallbackFailedError,
  InvalidTimeoutError,
  messageOf,
  PeerAnswerTimeoutError,
} from './errors.js';
import {
  InvalidPeerUrlError,
  PeerConnectionClosedError,
  PeerHttpStatusError,
  PeerIdleTimeoutError,
  PeerProtocolError,
  PeerRequestFailedError,
} from './http-transport-errors.js';
import { NdjsonLineSplitter } from './ndjson-line-splitter.js';
import { PEER_RESPONSE_CONTENT_TYPE } from './peer-protocol.js';
import type { Peer, PeerSendOptions, PeerTransport, ReplicableOperation } from './types.js';

/** Route of the integration that runs a replicated operation on a peer. */
export const DEFAULT_PEER_PATH = '/deploy_peer';

/** Maximum time in milliseconds from the start of a send until the peer's response headers. */
export const DEFAULT_HTTP_ANSWER_TIMEOUT_MS = 30_000;

/**
 * Maximum gap in milliseconds between two lines of a peer's response. It is six times the
 * default heartbeat interval of createPeerResponse, 5 s.
 */
export const DEFAULT_HTTP_IDLE_TIMEOUT_MS = 30_000;

/** Maximum length of one response line, or of a JSON response, in UTF-16 code units. */
export const MAX_RESPONSE_LINE_LENGTH = 1024 * 1024;

/** Maximum length of an error body that is read to find the peer's message. */
const MAX_ERROR_BODY_LENGTH = 64 * 1024;

export interface HttpTransportOptions {
  /** Lists the peers, for example from Harper's `server.nodes`. */
  peers: () => Peer[] | Promise<Peer[]>;
  /** Returns the base URL of a peer's HTTP server. Defaults to `peer.url`. */
  peerUrl?: (peer: Peer) => string;
  /** Route on the peer, resolved against the peer's URL. */
  path?: string;
  /** Extra request headers, such as Authorization, computed for each request. Undefined values are left out. */
  headers?: () => Record<string, string | undefined> | Promise<Record<string, string | undefined>>;
  /** Maximum time in milliseconds until the peer's response headers arrive. */
  answerTimeoutMs?: number;
  /** Maximum gap in milliseconds between two lines of the response, heartbeats included. */
  idleTimeoutMs?: number;
  /** HTTP agent, for example an https.Agent that trusts the cluster's certificate authority. */
  agent?: http.Agent;
  /** Receives each event line of a peer's response. Errors it throws are ignored. */
  onEvent?: (peer: Peer, event: Record<string, unknown>) => void;
  /** Receives errors that were ignored, such as an `onEvent` callback that threw. */
  onWarning?: (warning: Error) => void;
}

interface HttpTransportSettings {
  options: HttpTransportOptions;
  path: string;
  answerTimeoutMs: number;
  idleTimeoutMs: number;
}

/**
 * Creates a transport that POSTs the operation as JSON to each peer and reads its NDJSON
 * response: heartbeats, optional events and one result line. The send resolves with the
 * result line's `result`, or with the parsed body when the peer responds with plain JSON.
 *
 * A send rejects with PeerAnswerTimeoutError when no headers arrive in time, with
 * PeerIdleTimeoutError when the response stalls, with PeerHttpStatusError on a status outside
 * 2xx, and with PeerConnectionClosedError when the connection ends before the result.
 */
export function createHttpTransport(options: HttpTransportOptions): PeerTransport {
  const settings: HttpTransportSettings = {
    options,
    path: options.path ?? DEFAULT_PEER_PATH,
    answerTimeoutMs: validateDuration(
      'answerTimeoutMs',
      options.answerTimeoutMs ?? DEFAULT_HTTP_ANSWER_TIMEOUT_MS,
    ),
    idleTimeoutMs: validateDuration(
      'idleTimeoutMs',
      options.idleTimeoutMs ?? DEFAULT_HTTP_IDLE_TIMEOUT_MS,
    ),
  };

  return {
    listPeers: () => options.peers(),
    // async, so that an invalid peer URL rejects the send instead of throwing.
    send: async (peer, operation, sendOptions) =>
      sendToPeer(peer, operation, sendOptions, settings),
  };
}

function sendToPeer(
  peer: Peer,
  operation: ReplicableOperation,
  { signal, onAnswer }: PeerSendOptions,
  settings: HttpTransportSettings,
): Promise<unknown> {
  const url = resolvePeerUrl(peer, settings);
  const body = JSON.stringify(operation);

  return new Promise<unknown>((resolve, reject) => {
    const { answerTimeoutMs, idleTimeoutMs, options } = settings;
    let request: http.ClientRequest | null = null;
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;

    const settle = (error: Error | null, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(answerTimer);
      clearTimeout(idleTimer);
      signal.removeEventListener('abort', onAbort);
      request?.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const fail = (error: Error): void => settle(error);

    const answerTimer = setTimeout(() => {
      fail(new PeerAnswerTimeoutError(peer.name, answerTimeoutMs));
    }, answerTimeoutMs);
    const onAbort = (): void => fail(toError(signal.reason));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });

    const handlers: ResponseHandlers = {
      peer,
      options,
      succeed: (value) => settle(null, value),
      fail,
      touch: () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          fail(new PeerIdleTimeoutError(peer.name, idleTimeoutMs));
        }, idleTimeoutMs);
      },
      isSettled: () => settled,
    };

    Promise.resolve()
      .then(() => options.headers?.())
      .then(
        (extraHeaders) => {
          if (settled) return;
          const client = url.protocol === 'https:' ? https : http;
          request = client.request(url, {
            method: 'POST',
            agent: options.agent,
            headers: {
              ...definedHeaders(extraHeaders),
              'content-type': 'application/json',
              accept: `${PEER_RESPONSE_CONTENT_TYPE}, application/json`,
              'content-length': Buffer.byteLength(body),
            },
          });
          request.on('error', (error: NodeJS.ErrnoException) => {
            fail(
              error.code === 'ECONNRESET'
                ? new PeerConnectionClosedError(peer.name, error)
                : new PeerRequestFailedError(peer.name, url.href, error),
            );
          });
          request.on('response', (response) => {
            clearTimeout(answerTimer);
            onAnswer?.();
            readResponse(response, handlers);
          });
          request.end(body);
        },
        (error: unknown) => fail(new PeerRequestFailedError(peer.name, url.href, error)),
      );
  });
}

interface ResponseHandlers {
  peer: Peer;
  options: HttpTransportOptions;
  succeed: (value: unknown) => void;
  fail: (error: Error) => void;
  /** Restarts the idle timer. */
  touch: () => void;
  isSettled: () => boolean;
}

function readResponse(response: http.IncomingMessage, handlers: ResponseHandlers): void {
  const { peer } = handlers;
  const status = response.statusCode ?? 0;
  response.setEncoding('utf8');
  handlers.touch();

  const closedEarly = (cause?: unknown): void => {
    handlers.fail(new PeerConnectionClosedError(peer.name, cause));
  };
  response.on('error', closedEarly);
  response.on('close', () => closedEarly());

  if (status < 200 || status >= 300) {
    readWholeBody(response, handlers, MAX_ERROR_BODY_LENGTH, (text) => {
      handlers.fail(new PeerHttpStatusError(peer.name, status, errorMessageOf(text, response)));
    });
    return;
  }

  const contentType = response.headers['content-type'] ?? '';
  if (contentType.startsWith('application/json')) {
    readWholeBody(response, handlers, MAX_RESPONSE_LINE_LENGTH, (text) => {
      try {
        handlers.succeed(JSON.parse(text));
      } catch (error) {
        handlers.fail(
          new PeerProtocolError(peer.name, text, 'a JSON response that does not parse', error),
        );
      }
    });
    return;
  }

  const splitter = new NdjsonLineSplitter(MAX_RESPONSE_LINE_LENGTH);
  response.on('data', (text: string) => {
    const lines = splitter.push(text);
    if (lines === null) {
      handlers.fail(
        new PeerProtocolError(
          peer.name,
          splitter.pending,
          `a line longer than ${MAX_RESPONSE_LINE_LENGTH} characters`,
        ),
      );
      return;
    }
    for (const line of lines) {
      handlers.touch();
      handleLine(line, handlers);
      if (handlers.isSettled()) return;
    }
  });
  response.on('end', () => {
    const lastLine = splitter.flush();
    if (lastLine !== null) handleLine(lastLine, handlers);
    closedEarly();
  });
}

function handleLine(line: string, handlers: ResponseHandlers): void {
  const { peer, options } = handlers;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    handlers.fail(new PeerProtocolError(peer.name, line, 'a line that is not valid JSON', error));
    return;
  }
  if (!isRecord(parsed)) {
    handlers.fail(new PeerProtocolError(peer.name, line, 'a line that is not a JSON object'));
    return;
  }

  switch (parsed.type) {
    case 'result':
      if (!Object.hasOwn(parsed, 'result')) {
        handlers.fail(new PeerProtocolError(peer.name, line, 'a result line without a result'));
        return;
      }
      handlers.succeed(parsed.result);
      return;
    case 'event': {
      const event = isRecord(parsed.event) ? parsed.event : parsed;
      try {
        options.onEvent?.(peer, event);
      } catch (error) {
        warn(options, new CallbackFailedError('onEvent', peer.name, error));
      }
      return;
    }
    default:
      // Heartbeats only restart the idle timer. Unknown line types are skipped so that
      // peers can add new ones.
      return;
  }
}

/** Reads the body as text up to `maxLength` and passes it to `onBody` at the end. */
function readWholeBody(
  response: http.IncomingMessage,
  handlers: ResponseHandlers,
  maxLength: number,
  onBody: (text: string) => void,
): void {
  let text = '';
  response.on('data', (chunk: string) => {
    handlers.touch();
    if (text.length < maxLength) text += chunk.slice(0, maxLength - text.length);
  });
  response.on('end', () => onBody(text));
}

/** Finds the peer's error message in a JSON body (`error` or `message`), else uses the text. */
function errorMessageOf(text: string, response: http.IncomingMessage): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) {
      const { error, message } = parsed;
      if (typeof error === 'string' && error !== '') return error;
      if (isRecord(error) && typeof error.message === 'string') return error.message;
      if (typeof message === 'string' && message !== '') return message;
    }
  } catch {
    // Not JSON, so the text itself is the best message there is.
  }
  const trimmed = text.trim();
  if (trimmed !== '') return trimmed.slice(0, 500);
  return response.statusMessage || 'no error message in the response';
}

function resolvePeerUrl(peer: Peer, settings: HttpTransportSettings): URL {
  const base = settings.options.peerUrl ? settings.options.peerUrl(peer) : peer.url;
  let url: URL;
  try {
    url = new URL(settings.path, base);
  } catch (error) {
    throw new InvalidPeerUrlError(peer.name, String(base), error);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidPeerUrlError(peer.name, String(base));
  }
  return url;
}

function definedHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}

function validateDuration(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidTimeoutError(option, value, 'a finite, positive number');
  }
  return value;
}

function warn(options: HttpTransportOptions, warning: Error): void {
  try {
    options.onWarning?.(warning);
  } catch {
    // A failing warning handler has nowhere left to report to.
  }
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(messageOf(value), { cause: value });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
