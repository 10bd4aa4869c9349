// Event sources for a deployment's SSE stream: the live recorder on the origin while this worker
// runs the deployment, or the replicated row on any node.
import {
  type DeploymentRecorder,
  isTerminalStatus,
  toPublicRow,
} from '@harper-deploy/deploy-recorder';
import type { HarperTable } from './harper.js';
import type { DeploymentEventEntry, DeploymentRow } from './row-types.js';
import { type EventSource, entriesAfter, type FinalEvent, finalEvent } from './sse.js';

const ROW_POLL_MS = 250;

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function finalFromRow(row: DeploymentRow): FinalEvent | null {
  if (!isTerminalStatus(row.status)) return null;
  return finalEvent(toPublicRow(row) as unknown as Record<string, unknown> & { status: string });
}

/** Follows the row in the table: used on every node, and on the origin after a restart. */
export function rowEventSource(
  table: HarperTable<DeploymentRow>,
  deploymentId: string,
): EventSource {
  return {
    async next(afterId, signal) {
      while (!signal.aborted) {
        const row = (await table.get(deploymentId)) as DeploymentRow | null | undefined;
        if (row) {
          const entries = entriesAfter(row, afterId);
          const final = finalFromRow(row);
          if (entries.length > 0 || final) return { entries, final };
        }
        await waitOrAbort(ROW_POLL_MS, signal);
      }
      return { entries: [], final: null };
    },
  };
}

/**
 * Follows the live recorder, which receives every event as it is emitted, including the ones the
 * sealed recorder has not written to the row yet.
 */
export function recorderEventSource(recorder: DeploymentRecorder): EventSource {
  return {
    async next(afterId, signal) {
      while (!signal.aborted) {
        const row = recorder.row as DeploymentRow;
        const entries: DeploymentEventEntry[] = entriesAfter(row, afterId);
        const final = recorder.finished ? finalFromRow(row) : null;
        if (entries.length > 0 || final) return { entries, final };
        await new Promise<void>((resolve) => {
          let unsubscribe: (() => void) | null = null;
          let settled = false;
          const finish = (): void => {
            if (settled) return;
            settled = true;
            unsubscribe?.();
            signal.removeEventListener('abort', finish);
            resolve();
          };
          signal.addEventListener('abort', finish, { once: true });
          // subscribe() calls onFinish at once when the recorder has already finished.
          const remove = recorder.subscribe({ onEvent: finish, onFinish: finish });
          unsubscribe = remove;
          if (settled) remove();
        });
      }
      return { entries: [], final: null };
    },
  };
}
