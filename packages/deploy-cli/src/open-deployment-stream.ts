import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { ServerRejectedError } from './errors.js';
import { isEventStream, isSuccessStatus, readRejection, sendGetRequest } from './http-request.js';
import { buildEndpointUrl, type ServerTarget } from './server-target.js';

/** Options of openDeploymentStream. */
export interface OpenDeploymentStreamOptions {
  target: ServerTarget;
  deploymentId: string;
  /** Sent as `Last-Event-ID`, so the server replays only later events. */
  lastEventId?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Requests `GET /deployments/<id>` as an event stream. Throws ConnectionError when the server
 * cannot be reached and ServerRejectedError for a non-2xx status or a body that is not
 * `text/event-stream`.
 */
export async function openDeploymentStream(
  options: OpenDeploymentStreamOptions,
): Promise<IncomingMessage> {
  const headers: OutgoingHttpHeaders = { accept: 'text/event-stream' };
  if (options.target.authorization !== undefined)
    headers.authorization = options.target.authorization;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;

  const url = buildEndpointUrl(options.target, ['deployments', options.deploymentId]);
  const response = await sendGetRequest({ url, headers, signal: options.signal });
  if (!isSuccessStatus(response)) {
    throw await readRejection(response);
  }
  if (!isEventStream(response.headers)) {
    response.destroy();
    throw new ServerRejectedError(
      `expected an event stream from ${url.pathname}, got content-type ${response.headers['content-type'] ?? 'missing'}`,
      { status: response.statusCode ?? 0 },
    );
  }
  return response;
}
