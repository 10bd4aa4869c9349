import type { OutgoingHttpHeaders } from 'node:http';
import type { DeploymentList, DeploymentRow } from './deployment-row.js';
import { ServerRejectedError, UsageError } from './errors.js';
import { readJsonResponse, sendGetRequest } from './http-request.js';
import { isRecord } from './is-record.js';
import { buildEndpointUrl, type ConnectionOptions, resolveServerTarget } from './server-target.js';

/** Options of list. Unset filters are not sent, so the server's defaults apply. */
export interface ListOptions extends ConnectionOptions {
  project?: string;
  status?: string;
  /** Maximum number of rows to return. */
  limit?: number;
  /** Number of rows to skip, newest first. */
  offset?: number;
  signal?: AbortSignal;
}

/**
 * Fetches `GET /deployments`, newest first. Throws ConnectionError when the server cannot be
 * reached and ServerRejectedError for a non-2xx status or a body without a `deployments` array.
 */
export async function list(options: ListOptions): Promise<DeploymentList> {
  const target = resolveServerTarget(options);
  for (const [name, value] of [
    ['limit', options.limit],
    ['offset', options.offset],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new UsageError(`invalid ${name} ${value}: expected a whole number, 0 or more`);
    }
  }

  const url = buildEndpointUrl(target, ['deployments'], {
    project: options.project,
    status: options.status,
    limit: options.limit,
    offset: options.offset,
  });
  const headers: OutgoingHttpHeaders = { accept: 'application/json' };
  if (target.authorization !== undefined) headers.authorization = target.authorization;

  const response = await sendGetRequest({ url, headers, signal: options.signal });
  const body = await readJsonResponse(response);
  if (!isRecord(body) || !Array.isArray(body.deployments)) {
    throw new ServerRejectedError('server sent a deployment list without a "deployments" array', {
      status: response.statusCode ?? 0,
    });
  }
  const deployments = body.deployments as DeploymentRow[];
  const total = typeof body.total === 'number' ? body.total : deployments.length;
  return { deployments, total };
}
