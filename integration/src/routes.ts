// The HTTP routes of the deploy-tracking component, registered as Harper HTTP middleware.

import { toPublicRow } from '@harper-deploy/deploy-recorder';
import { createPeerResponse } from '@harper-deploy/harper-pro-adapter';
import { requireClusterMember, requireSuperUser } from './auth.js';
import type { NodeContext } from './context.js';
import { parseDeployOptions } from './deploy-options.js';
import { recorderEventSource, rowEventSource } from './event-sources.js';
import type { HarperRequest, HarperResponse } from './harper.js';
import { errorBody, HttpError } from './http-error.js';
import { readOutcome, requestWorkerRestart, writePendingRestart } from './lifecycle/restart.js';
import { liveRecorder, startOriginDeploy } from './origin-deploy.js';
import { parseReplicatedOperation, readPrepared, runPeerDeploy } from './peer-deploy.js';
import { listPeers } from './peers.js';
import type { DeploymentRow } from './row-types.js';
import { sseStream } from './sse.js';
import { parseUpload } from './upload.js';

const RESTART_DELAY_MS = 100;
const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 50;
const STATUSES = new Set([
  'pending',
  'extracting',
  'installing',
  'loading',
  'replicating',
  'restarting',
  'success',
  'failed',
  'rolled_back',
]);
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function json(status: number, body: unknown, headers: Record<string, string> = {}): HarperResponse {
  return {
    status,
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    body: JSON.stringify(body),
  };
}

function wantsEventStream(request: HarperRequest): boolean {
  return (request.headers.get('accept') ?? '').includes('text/event-stream');
}

function sseHeaders(deploymentId: string): Headers {
  return new Headers({
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'x-deployment-id': deploymentId,
  });
}

/** Creates an AbortSignal that fires when the client closes the connection. */
function clientGone(request: HarperRequest): AbortSignal {
  const controller = new AbortController();
  const socket = request.nodeRequest?.socket;
  socket?.once('close', () => controller.abort());
  return controller.signal;
}

function lastEventId(request: HarperRequest, url: URL): number {
  const raw = request.headers.get('last-event-id') ?? url.searchParams.get('last_event_id') ?? '0';
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new HttpError(
      400,
      'INVALID_LAST_EVENT_ID',
      `invalid Last-Event-ID ${JSON.stringify(raw)}: send the id of the last event received`,
    );
  }
  return value;
}

/** Handles one request, or returns undefined so Harper passes it on. */
export async function route(
  context: NodeContext,
  request: HarperRequest,
): Promise<HarperResponse | undefined> {
  const url = new URL(request.url, 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = request.method.toUpperCase();
  let handler: (() => Promise<HarperResponse>) | null = null;
  if (path === '/deploy_component')
    handler = method === 'POST' ? () => deployRoute(context, request) : null;
  else if (path === '/deployments')
    handler = method === 'GET' ? () => listRoute(context, request, url) : null;
  else if (path.startsWith('/deployments/')) {
    handler =
      method === 'GET'
        ? () =>
            getRoute(context, request, url, decodeURIComponent(path.slice('/deployments/'.length)))
        : null;
  } else if (path === '/deploy_peer')
    handler = method === 'POST' ? () => peerRoute(context, request) : null;
  else if (path === '/deploy_restart')
    handler = method === 'POST' ? () => restartRoute(context, request) : null;
  else if (path === '/deploy_health')
    handler = method === 'GET' ? () => healthRoute(context, request, url) : null;
  else return undefined;

  try {
    if (!handler)
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`);
    return await handler();
  } catch (error) {
    if (error instanceof HttpError) return json(error.status, JSON.parse(errorBody(error)));
    context.logger.error(`${method} ${path} failed`, error);
    return json(500, { error: `internal error: ${(error as Error).message}`, code: 'INTERNAL' });
  }
}

async function readJsonBody(request: HarperRequest, maxBytes: number): Promise<unknown> {
  const nodeRequest = request.nodeRequest;
  if (!nodeRequest) throw new HttpError(500, 'INTERNAL', 'the raw request is not available');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of nodeRequest) {
    total += (chunk as Buffer).length;
    if (total > maxBytes)
      throw new HttpError(413, 'BODY_TOO_LARGE', `request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch (error) {
    throw new HttpError(400, 'INVALID_JSON', `invalid JSON body: ${(error as Error).message}`);
  }
}

async function deployRoute(context: NodeContext, request: HarperRequest): Promise<HarperResponse> {
  const user = requireSuperUser(request);
  const nodeRequest = request.nodeRequest;
  if (!nodeRequest) throw new HttpError(500, 'INTERNAL', 'the raw request is not available');

  const upload = await parseUpload(nodeRequest, context.settings);
  let options: ReturnType<typeof parseDeployOptions>;
  try {
    options = parseDeployOptions(upload.fields, context.settings);
  } catch (error) {
    upload.payload.resume();
    throw error;
  }

  const deployment = await startOriginDeploy({
    context,
    options,
    payload: upload.payload,
    user: user.username ?? 'unknown',
    authorization: request.headers.get('authorization') ?? null,
  });
  // The deployment runs to the end even if the client goes away, so errors are logged here.
  deployment.settled.catch((error: unknown) =>
    context.logger.error(`deployment ${deployment.deploymentId} failed unexpectedly`, error),
  );

  if (wantsEventStream(request)) {
    return {
      status: 200,
      headers: sseHeaders(deployment.deploymentId),
      body: sseStream(recorderEventSource(deployment.recorder), {
        lastEventId: 0,
        heartbeatMs: context.settings.sseHeartbeatMs,
        maxDurationMs: context.settings.sseMaxDurationMs,
        signal: clientGone(request),
      }),
    };
  }

  const settlement = await deployment.settled;
  const body = {
    message: settlement.handedToRestart
      ? `deployment ${deployment.deploymentId} is restarting ${options.project}; GET /deployments/${deployment.deploymentId} for the final status`
      : settlement.error
        ? `deployment ${deployment.deploymentId} failed: ${settlement.error.message}`
        : `deployed ${options.project}`,
    deployment_id: deployment.deploymentId,
    status: settlement.status,
    replicated: settlement.replicated,
    ...(settlement.error
      ? {
          error: settlement.error.message,
          code: settlement.error.code,
          phase: settlement.error.phase,
        }
      : {}),
  };
  return json(settlement.httpStatus, body, { 'x-deployment-id': deployment.deploymentId });
}

async function getRoute(
  context: NodeContext,
  request: HarperRequest,
  url: URL,
  deploymentId: string,
): Promise<HarperResponse> {
  requireSuperUser(request);
  if (!UUID_PATTERN.test(deploymentId)) {
    throw new HttpError(
      400,
      'INVALID_DEPLOYMENT_ID',
      `invalid deployment id ${JSON.stringify(deploymentId)}: use the UUID from the deploy response`,
    );
  }
  const row = (await context.table.get(deploymentId)) as DeploymentRow | null | undefined;
  const live = liveRecorder(deploymentId);
  if (!row && !live) {
    throw new HttpError(
      404,
      'DEPLOYMENT_NOT_FOUND',
      `deployment ${deploymentId} not found on ${context.nodeName}: check the id, or wait for replication`,
    );
  }
  if (!wantsEventStream(request))
    return json(200, toPublicRow((live?.row ?? row) as DeploymentRow));
  const source = live ? recorderEventSource(live) : rowEventSource(context.table, deploymentId);
  return {
    status: 200,
    headers: sseHeaders(deploymentId),
    body: sseStream(source, {
      lastEventId: lastEventId(request, url),
      heartbeatMs: context.settings.sseHeartbeatMs,
      maxDurationMs: context.settings.sseMaxDurationMs,
      signal: clientGone(request),
    }),
  };
}

function parseTime(name: string, value: string | null): number | null {
  if (value === null || value === '') return null;
  const number = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(number)) {
    throw new HttpError(
      400,
      'INVALID_QUERY',
      `invalid ${name} ${JSON.stringify(value)}: use epoch milliseconds or an ISO date`,
    );
  }
  return number;
}

function parseCount(name: string, value: string | null, fallback: number, max: number): number {
  if (value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > max) {
    throw new HttpError(
      400,
      'INVALID_QUERY',
      `invalid ${name} ${JSON.stringify(value)}: use a whole number from 0 to ${max}`,
    );
  }
  return number;
}

async function listRoute(
  context: NodeContext,
  request: HarperRequest,
  url: URL,
): Promise<HarperResponse> {
  requireSuperUser(request);
  const allowed = new Set(['project', 'status', 'since', 'until', 'limit', 'offset']);
  for (const name of url.searchParams.keys()) {
    if (!allowed.has(name)) {
      throw new HttpError(
        400,
        'INVALID_QUERY',
        `unknown query parameter ${JSON.stringify(name)}: use ${[...allowed].join(', ')}`,
      );
    }
  }

  const project = url.searchParams.get('project');
  const status = url.searchParams.get('status');
  if (status !== null && !STATUSES.has(status)) {
    throw new HttpError(
      400,
      'INVALID_QUERY',
      `invalid status ${JSON.stringify(status)}: use one of ${[...STATUSES].join(', ')}`,
    );
  }
  const since = parseTime('since', url.searchParams.get('since'));
  const until = parseTime('until', url.searchParams.get('until'));
  const limit = parseCount(
    'limit',
    url.searchParams.get('limit'),
    DEFAULT_LIST_LIMIT,
    MAX_LIST_LIMIT,
  );
  const offset = parseCount('offset', url.searchParams.get('offset'), 0, Number.MAX_SAFE_INTEGER);

  const rows: DeploymentRow[] = [];
  // NOTE: this scans the whole table; fine for a deployment history, slow past many thousands of rows.
  for await (const row of context.table.search({ conditions: [] })) {
    if (project !== null && row.project !== project) continue;
    if (status !== null && row.status !== status) continue;
    if (since !== null && (row.started_at ?? 0) < since) continue;
    if (until !== null && (row.started_at ?? 0) > until) continue;
    rows.push(row);
  }

  rows.sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0));
  return json(200, {
    deployments: rows.slice(offset, offset + limit).map((row) => {
      const { event_log: _log, ...rest } = toPublicRow(row) as unknown as Record<string, unknown>;
      return rest;
    }),
    total: rows.length,
  });
}

async function peerRoute(context: NodeContext, request: HarperRequest): Promise<HarperResponse> {
  requireClusterMember(request);
  const body = await readJsonBody(request, context.settings.maxFieldBytes * 4);
  const { deploymentId, options } = parseReplicatedOperation(body);
  context.logger.info(
    `deployment ${deploymentId}: replicated operation received for ${options.project}`,
  );
  return {
    status: 200,
    headers: new Headers({ 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' }),
    body: createPeerResponse(async () => {
      const outcome = await runPeerDeploy(
        context,
        deploymentId,
        options,
        Object.keys(body as object),
      );
      // The response protocol reports a failure from a rejected promise, with its message and code.
      if (outcome.status === 'failed') {
        throw new HttpError(
          500,
          outcome.error?.code ?? 'PEER_FAILED',
          outcome.error?.message ?? 'the peer deployment failed',
        );
      }
      return outcome;
    }),
  };
}

async function restartRoute(context: NodeContext, request: HarperRequest): Promise<HarperResponse> {
  requireClusterMember(request);
  const body = (await readJsonBody(request, 4096)) as { deployment_id?: unknown };
  const deploymentId = body.deployment_id;
  if (typeof deploymentId !== 'string' || !UUID_PATTERN.test(deploymentId)) {
    throw new HttpError(
      400,
      'INVALID_DEPLOYMENT_ID',
      `invalid deployment_id ${JSON.stringify(deploymentId)}: send the deployment's UUID`,
    );
  }
  const outcome = await readOutcome(context.store, deploymentId);
  if (outcome) return json(200, { message: 'already restarted', outcome });
  const prepared = await readPrepared(context, deploymentId);
  if (prepared?.result.status !== 'success' || !prepared.swap) {
    throw new HttpError(
      409,
      'NOT_PREPARED',
      `deployment ${deploymentId} was not prepared on ${context.nodeName}: nothing to restart`,
    );
  }
  await writePendingRestart(context.store, {
    deployment_id: deploymentId,
    project: prepared.project,
    role: 'peer',
    node: context.nodeName,
    swap: prepared.swap,
    started_at: prepared.result.started_at,
    requested_at: Date.now(),
  });
  context.logger.info(`deployment ${deploymentId}: restarting workers on ${context.nodeName}`);
  // The response goes out before the restart closes this worker's connections.
  // NOTE: a deployment that this node runs as origin at the same time dies with this restart and
  // ends failed with ORIGIN_RESTARTED. Restarts are not coordinated across origins yet.
  setTimeout(() => {
    requestWorkerRestart(context.server).catch((error: unknown) =>
      context.logger.error(`deployment ${deploymentId}: restart request failed`, error),
    );
  }, RESTART_DELAY_MS);
  return json(202, { message: `restarting workers on ${context.nodeName}` });
}

async function healthRoute(
  context: NodeContext,
  request: HarperRequest,
  url: URL,
): Promise<HarperResponse> {
  requireClusterMember(request);
  const deploymentId = url.searchParams.get('deployment_id');
  let outcome = null;
  if (deploymentId !== null) {
    if (!UUID_PATTERN.test(deploymentId)) {
      throw new HttpError(
        400,
        'INVALID_DEPLOYMENT_ID',
        `invalid deployment_id ${JSON.stringify(deploymentId)}`,
      );
    }
    outcome = await readOutcome(context.store, deploymentId);
  }
  return json(200, {
    ok: true,
    node: context.nodeName,
    worker_started_at: context.workerStartedAt,
    peers: listPeers(context.server),
    outcome,
  });
}
