import type { DeploymentRow } from './deployment-row.js';

/**
 * Copies `row` so that changes to the copy cannot reach the recorder's row. Event log entries
 * are shared because the recorder freezes them, and `payload_blob` is shared because it is an
 * opaque Harper object.
 */
export function copyRow(row: DeploymentRow): DeploymentRow {
  return {
    ...row,
    event_log: [...row.event_log],
    peer_results: row.peer_results.map((result) => ({
      ...result,
      error: result.error === null ? null : { ...result.error },
    })),
    error: row.error === null ? null : { ...row.error },
  };
}
