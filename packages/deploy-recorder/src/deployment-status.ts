import type { DeploymentStatus, TerminalDeploymentStatus } from './deployment-row.js';

/** Every deployment status, in the order a successful deployment passes through them. */
export const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = Object.freeze([
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

/** Statuses that end a deployment. */
export const TERMINAL_STATUSES: readonly TerminalDeploymentStatus[] = Object.freeze([
  'success',
  'failed',
  'rolled_back',
]);

const STATUS_BY_PHASE_START: Readonly<Record<string, DeploymentStatus>> = Object.freeze({
  extract: 'extracting',
  install: 'installing',
  load: 'loading',
  replicate: 'replicating',
  restart: 'restarting',
});

/** Returns whether `status` ends a deployment. Accepts any value so it can check stored rows. */
export function isTerminalStatus(status: unknown): status is TerminalDeploymentStatus {
  return TERMINAL_STATUSES.includes(status as TerminalDeploymentStatus);
}

/** Returns whether `status` is one of the nine deployment statuses. */
export function isDeploymentStatus(status: unknown): status is DeploymentStatus {
  return DEPLOYMENT_STATUSES.includes(status as DeploymentStatus);
}

/**
 * Returns the status that a `phase` event with status `start` moves the row to, or undefined
 * for a phase that leaves the status unchanged.
 */
export function statusForPhaseStart(phase: string): DeploymentStatus | undefined {
  if (!Object.hasOwn(STATUS_BY_PHASE_START, phase)) {
    return undefined;
  }
  return STATUS_BY_PHASE_START[phase];
}
