import type { DeploymentRow } from '../deployment-row.js';
import type { ScriptedEvent } from './fake-harper-server.js';

/** Epoch milliseconds the scripted events start at. */
const SCRIPT_START_MS = Date.UTC(2025, 0, 2, 3, 4, 5);

/** Builds a deployment row with two nodes, the origin first. */
export function buildRow(
  deploymentId: string,
  overrides: Partial<DeploymentRow> = {},
): DeploymentRow {
  return {
    deployment_id: deploymentId,
    project: 'my-app',
    status: 'success',
    peer_results: [
      {
        node: 'node-1',
        status: 'success',
        error: null,
        started_at: SCRIPT_START_MS,
        completed_at: SCRIPT_START_MS + 4200,
        origin: true,
      },
      {
        node: 'node-2',
        status: 'success',
        error: null,
        started_at: SCRIPT_START_MS + 100,
        completed_at: SCRIPT_START_MS + 3500,
      },
    ],
    error: null,
    started_at: SCRIPT_START_MS,
    completed_at: SCRIPT_START_MS + 5000,
    ...overrides,
  };
}

/** Builds the events of a deployment up to, not including, its final event. Ids start at 1. */
export function buildProgressEvents(): ScriptedEvent[] {
  return [
    { id: 1, event: 'phase', data: { phase: 'extract', status: 'start', t: SCRIPT_START_MS } },
    { id: 2, event: 'phase', data: { phase: 'extract', status: 'done', t: SCRIPT_START_MS + 300 } },
    {
      id: 3,
      event: 'phase',
      data: { phase: 'install', status: 'start', t: SCRIPT_START_MS + 300 },
    },
    {
      id: 4,
      event: 'install',
      data: {
        manager: 'npm',
        stream: 'stdout',
        line: 'added 3 packages',
        t: SCRIPT_START_MS + 900,
      },
    },
    {
      id: 5,
      event: 'phase',
      data: { phase: 'install', status: 'done', t: SCRIPT_START_MS + 1500 },
    },
    { id: 6, event: 'warning', data: { message: 'engines.node is not set' } },
    {
      id: 7,
      event: 'peer',
      data: {
        node: 'node-2',
        status: 'success',
        started_at: SCRIPT_START_MS + 100,
        completed_at: SCRIPT_START_MS + 3500,
      },
    },
  ];
}

/** Builds the final `done` event of a successful deployment. */
export function buildDoneEvent(deploymentId: string, id = 8): ScriptedEvent {
  return { id, event: 'done', data: { result: buildRow(deploymentId) } };
}

/** Builds the final `error` event of a deployment in which node-2 failed its install. */
export function buildFailureEvent(deploymentId: string, id = 8): ScriptedEvent {
  const row = buildRow(deploymentId, {
    status: 'failed',
    error: 'node-2 failed: npm install exited with code 1',
  });
  const secondPeer = row.peer_results?.[1];
  if (secondPeer !== undefined) {
    secondPeer.status = 'failed';
    secondPeer.error = 'npm install exited with code 1';
  }
  return {
    id,
    event: 'error',
    data: {
      message: 'replication failed on 1 of 2 nodes',
      code: 'REPLICATION_FAILED',
      phase: 'replicate',
      result: row,
    },
  };
}
