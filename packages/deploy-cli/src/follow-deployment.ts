import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DeploymentEvent } from './deployment-event.js';
import { type DeploymentOutcome, readDeploymentOutcome } from './deployment-outcome.js';
import {
  ConnectionError,
  DeployInterruptedError,
  ServerRejectedError,
  StreamLostError,
} from './errors.js';
import { openDeploymentStream } from './open-deployment-stream.js';
import { readServerSentEvents } from './read-server-sent-events.js';
import { formatTarget, type ServerTarget } from './server-target.js';

/** How long to keep reconnecting after the event stream drops, in milliseconds. */
export const DEFAULT_RECONNECT_TIMEOUT_MS = 60_000;
/**
 * How long a stream may stay silent before it counts as dropped, in milliseconds.
 * NOTE: this assumes the server sends heartbeat comments well within 90 s.
 */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 90_000;
/** Wait before the first reconnect attempt, in milliseconds. Doubles on each further attempt. */
export const INITIAL_RECONNECT_DELAY_MS = 250;
/** Maximum wait between reconnect attempts, in milliseconds. */
export const MAX_RECONNECT_DELAY_MS = 2_000;

/** HTTP statuses that end the reconnect loop at once, because retrying cannot fix them. */
const NON_RETRYABLE_STATUSES = new Set([400, 401, 403]);

/** Sent before each reconnect attempt. */
export interface ReconnectNotice {
  deploymentId: string;
  /** 1 for the first attempt after the stream dropped. */
  attempt: number;
  /** The id sent as `Last-Event-ID`, or `undefined` when no event had an id. */
  lastEventId: string | undefined;
  /** Reason the previous stream or attempt ended. */
  reason: string;
}

/** Options of followDeployment. */
export interface FollowDeploymentOptions {
  target: ServerTarget;
  /** The deployment to follow. May be `undefined` with `initialResponse`, until a result names it. */
  deploymentId: string | undefined;
  /** An open event stream to read first, such as the response of `POST /deploy_component`. */
  initialResponse?: IncomingMessage;
  /** Sent as `Last-Event-ID` on the first request. */
  lastEventId?: string;
  /** Defaults to DEFAULT_RECONNECT_TIMEOUT_MS. */
  reconnectTimeoutMs?: number;
  /** Defaults to DEFAULT_STREAM_IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
  /** Aborting detaches: the promise rejects with DeployInterruptedError, stage `stream`. */
  signal?: AbortSignal;
  /** Called once per event id, in order. Events seen before a reconnect are not repeated. */
  onEvent?: (event: DeploymentEvent) => void;
  onReconnect?: (notice: ReconnectNotice) => void;
}

/**
 * Follows a deployment's events until its final event and returns the outcome.
 *
 * When a stream ends without a final event, for example because the origin restarted its worker
 * threads, this reconnects to `GET /deployments/<id>` with `Last-Event-ID` and drops events whose
 * id it has already passed on. Connection errors, 404 and 5xx responses are retried with a growing
 * delay. The reconnect window restarts whenever a new event arrives, and when it runs out the
 * promise rejects with StreamLostError. The first request of a follow without `initialResponse`
 * is not retried.
 */
export async function followDeployment(
  options: FollowDeploymentOptions,
): Promise<DeploymentOutcome> {
  const reconnectTimeoutMs = options.reconnectTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS;
  const { signal, target } = options;
  const seenIds = new Set<string>();
  let deploymentId = options.deploymentId;
  let lastEventId = options.lastEventId;

  const interrupted = () => new DeployInterruptedError('stream', { deploymentId });
  let response: IncomingMessage | undefined = options.initialResponse;
  const destroyResponse = () => response?.destroy();
  signal?.addEventListener('abort', destroyResponse, { once: true });

  try {
    if (response === undefined) {
      if (deploymentId === undefined) {
        throw new TypeError('followDeployment needs a deploymentId or an initialResponse');
      }
      response = await openDeploymentStream({ target, deploymentId, lastEventId, signal });
    }

    let lostSince: number | undefined;
    let attempt = 0;
    let reason = '';
    for (;;) {
      if (response !== undefined) {
        try {
          for await (const event of readServerSentEvents(response, { idleTimeoutMs })) {
            if (event.id !== undefined) {
              if (seenIds.has(event.id)) continue;
              seenIds.add(event.id);
              lastEventId = event.id;
            }
            lostSince = undefined;
            attempt = 0;

            const outcome = readDeploymentOutcome(event);
            deploymentId ??= outcome?.deploymentId;
            options.onEvent?.(event);
            if (outcome !== undefined) return outcome;
          }
          reason = 'the event stream ended before the final event';
        } catch (error) {
          // The origin closes every stream when it restarts its workers at the end of a deploy.
          reason = `the event stream was cut (${errorMessage(error)}), as it is when the origin restarts its workers`;
        }
        response = undefined;
      }
      if (signal?.aborted) throw interrupted();

      if (deploymentId === undefined) {
        throw new StreamLostError(
          `${reason}, and the server sent no deployment id to reconnect with`,
        );
      }
      lostSince ??= Date.now();
      const remainingMs = lostSince + reconnectTimeoutMs - Date.now();
      if (remainingMs <= 0) {
        throw new StreamLostError(
          `lost the event stream of deployment ${deploymentId} for ${reconnectTimeoutMs} ms (${reason}); ` +
            `the deployment may still be running: harper-deploy watch ${deploymentId} --target ${formatTarget(target)}`,
          { deploymentId },
        );
      }

      attempt += 1;
      const backoffMs = Math.min(
        INITIAL_RECONNECT_DELAY_MS * 2 ** (attempt - 1),
        MAX_RECONNECT_DELAY_MS,
      );
      try {
        await delay(Math.min(backoffMs, remainingMs), undefined, { signal });
      } catch {
        throw interrupted();
      }
      options.onReconnect?.({ deploymentId, attempt, lastEventId, reason });

      try {
        response = await openDeploymentStream({ target, deploymentId, lastEventId, signal });
      } catch (error) {
        if (signal?.aborted) throw interrupted();
        if (!isRetryable(error)) throw error;
        reason = errorMessage(error);
      }
    }
  } catch (error) {
    if (signal?.aborted && !(error instanceof DeployInterruptedError)) throw interrupted();
    throw error;
  } finally {
    signal?.removeEventListener('abort', destroyResponse);
    response?.destroy();
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  if (error instanceof ServerRejectedError) return !NON_RETRYABLE_STATUSES.has(error.status);
  return false;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
