// Worker restarts. Harper 4.7 loads components only when its HTTP worker threads start, and the
// request that requests a restart runs in a worker that is about to stop. So a node writes a
// pending-restart file before the request, and the new worker resolves it: it waits until Harper
// reports the component's load status, keeps the new version if it is healthy, and otherwise
// restores the previous version and restarts once more.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { HarperServer } from '../harper.js';
import {
  type ComponentStore,
  dropBackup,
  restorePrevious,
  type SwapResult,
} from './component-store.js';

export const DEFAULT_LOAD_STATUS_TIMEOUT_MS = 30_000;
const LOAD_STATUS_POLL_MS = 250;

export type NodeRole = 'origin' | 'peer';

export interface PendingRestart {
  deployment_id: string;
  project: string;
  role: NodeRole;
  node: string;
  swap: SwapResult;
  started_at: number;
  requested_at: number;
  /** Origin only: whether peer failures are warnings, and how many peers were configured. */
  ignore_replication_errors?: boolean;
  peers_configured?: number;
}

export interface NodeOutcome {
  node: string;
  status: 'success' | 'failed';
  error: { message: string; code: string } | null;
  started_at: number;
  completed_at: number;
}

function pendingDir(store: ComponentStore): string {
  return join(store.componentsDir, '..', 'deploy-tracking', 'pending');
}

function outcomeDir(store: ComponentStore): string {
  return join(store.componentsDir, '..', 'deploy-tracking', 'outcomes');
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(value));
  await rename(temporary, file);
}

/** Records that this node is about to restart for a deployment. */
export async function writePendingRestart(
  store: ComponentStore,
  pending: PendingRestart,
): Promise<void> {
  await writeJsonAtomically(join(pendingDir(store), `${pending.deployment_id}.json`), pending);
}

/** Stores this node's final outcome for a deployment, for the origin to read. */
export async function writeOutcome(
  store: ComponentStore,
  deploymentId: string,
  outcome: NodeOutcome,
): Promise<void> {
  await writeJsonAtomically(join(outcomeDir(store), `${deploymentId}.json`), outcome);
}

/** Returns this node's final outcome for a deployment, or null while it is not known. */
export async function readOutcome(
  store: ComponentStore,
  deploymentId: string,
): Promise<NodeOutcome | null> {
  const file = join(outcomeDir(store), `${deploymentId}.json`);
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as NodeOutcome;
}

/**
 * Requests a restart of Harper's HTTP worker threads, which reloads every component. From a
 * worker thread the request goes straight to Harper's main thread. The restart_service operation
 * would first start a job process, which took about 4 s on the 2-core development machine.
 */
// NOTE: the thread message ({type: 'restart', workerType}) is Harper 4.7.29's internal protocol,
// read from its main-thread listener; other versions fall back to the operation below.
export async function requestWorkerRestart(server: HarperServer): Promise<void> {
  if (parentPort && process.env.DEPLOY_RESTART_VIA_OPERATION !== 'true') {
    parentPort.postMessage({ type: 'restart', workerType: 'http_workers' });
    return;
  }
  await server.operation({ operation: 'restart_service', service: 'http_workers' }, {}, false);
}

interface ComponentEntry {
  name: string;
  status?: {
    status?: string;
    message?: string;
    details?: Record<string, { status?: string; message?: string }>;
    lastChecked?: { workers?: Record<string, number> };
  };
}

/** Waits until Harper reports the component's load status from a worker started after `since`. */
export async function componentLoadStatus(
  server: HarperServer,
  project: string,
  since: number,
  timeoutMs = DEFAULT_LOAD_STATUS_TIMEOUT_MS,
): Promise<{ healthy: boolean; message: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = 'Harper has not reported the component yet';
  while (Date.now() < deadline) {
    const listing = (await server.operation({ operation: 'get_components' }, {}, false)) as {
      entries?: ComponentEntry[];
    };
    const entry = listing.entries?.find((candidate) => candidate.name === project);
    const checked = Object.values(entry?.status?.lastChecked?.workers ?? {});
    if (entry?.status && checked.some((time) => time >= since)) {
      const healthy = entry.status.status === 'healthy';
      const details = Object.values(entry.status.details ?? {})
        .map((detail) => detail.message)
        .filter(Boolean)
        .join('; ');
      return { healthy, message: details || entry.status.message || entry.status.status || '' };
    }
    if (entry) last = `Harper still reports the status from before the restart`;
    await new Promise((resolve) => setTimeout(resolve, LOAD_STATUS_POLL_MS));
  }
  return {
    healthy: false,
    message: `component load status unknown after ${timeoutMs} ms: ${last}`,
  };
}

export interface ResolvedRestart {
  pending: PendingRestart;
  outcome: NodeOutcome;
}

/**
 * Resolves every pending restart of this node. Runs once when a worker starts; a component that
 * failed to load is replaced by its previous version and the workers restart again.
 */
export async function resolvePendingRestarts(options: {
  store: ComponentStore;
  server: HarperServer;
  workerStartedAt: number;
  onResolved?: (resolved: ResolvedRestart) => Promise<void> | void;
}): Promise<ResolvedRestart[]> {
  const directory = pendingDir(options.store);
  if (!existsSync(directory)) return [];
  const resolvedList: ResolvedRestart[] = [];
  let restartAgain = false;
  for (const name of (await readdir(directory)).filter((file) => file.endsWith('.json'))) {
    const file = join(directory, name);
    const pending = JSON.parse(await readFile(file, 'utf8')) as PendingRestart;
    // A worker that started before the request is the old one, still shutting down.
    if (options.workerStartedAt < pending.requested_at) continue;
    const status = await componentLoadStatus(options.server, pending.project, pending.requested_at);
    let outcome: NodeOutcome;
    if (status.healthy) {
      await dropBackup(pending.swap);
      outcome = {
        node: pending.node,
        status: 'success',
        error: null,
        started_at: pending.started_at,
        completed_at: Date.now(),
      };
    } else {
      await restorePrevious(pending.swap);
      restartAgain = true;
      outcome = {
        node: pending.node,
        status: 'failed',
        error: {
          message: `component ${pending.project} failed to load after the restart (${status.message}); the previous version was restored`,
          code: 'LOAD_FAILED',
        },
        started_at: pending.started_at,
        completed_at: Date.now(),
      };
    }
    await writeOutcome(options.store, pending.deployment_id, outcome);
    await rm(file, { force: true });
    const resolved = { pending, outcome };
    resolvedList.push(resolved);
    await options.onResolved?.(resolved);
  }
  if (restartAgain) await requestWorkerRestart(options.server);
  return resolvedList;
}
