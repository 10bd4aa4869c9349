import type { DeploymentEvent } from './deployment-event.js';
import type { DeploymentOutcome } from './deployment-outcome.js';
import { UsageError } from './errors.js';
import { followDeployment, type ReconnectNotice } from './follow-deployment.js';
import { type ConnectionOptions, resolveServerTarget } from './server-target.js';

/** Options of watch. */
export interface WatchOptions extends ConnectionOptions {
  deploymentId: string;
  /** Id of the last event already seen, so the server replays only later events. Without it, the whole log. */
  lastEventId?: string;
  /** How long to keep reconnecting after the event stream drops, in milliseconds. */
  reconnectTimeoutMs?: number;
  /** How long the event stream may stay silent before it counts as dropped, in milliseconds. */
  idleTimeoutMs?: number;
  /** Aborting detaches: the promise rejects with DeployInterruptedError. */
  signal?: AbortSignal;
  onEvent?: (event: DeploymentEvent) => void;
  onReconnect?: (notice: ReconnectNotice) => void;
}

/**
 * Attaches to a deployment from any node: replays its events, follows them to the final event and
 * returns the outcome. The first request is not retried. Later drops of the stream are retried
 * as in deploy.
 */
export async function watch(options: WatchOptions): Promise<DeploymentOutcome> {
  const target = resolveServerTarget(options);
  if (options.deploymentId === '') {
    throw new UsageError('the deployment id is empty');
  }
  return followDeployment({
    target,
    deploymentId: options.deploymentId,
    lastEventId: options.lastEventId,
    reconnectTimeoutMs: options.reconnectTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    signal: options.signal,
    onEvent: options.onEvent,
    onReconnect: options.onReconnect,
  });
}
