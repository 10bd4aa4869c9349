import type { DeploymentRow } from './deployment-row.js';
import { durationBetween, formatDuration, formatUtcTimestamp, toEpochMs } from './format-units.js';
import type { Stylize } from './terminal-style.js';

const HEADERS = ['ID', 'PROJECT', 'STATUS', 'STARTED (UTC)', 'DURATION', 'NODES OK'] as const;
const STATUS_COLUMN = 2;
const COLUMN_GAP = '  ';

/**
 * Formats deployments as an aligned text table, one row per deployment. NODES OK counts the
 * peer results with status `success` out of all peer results. A duration is shown only once the
 * deployment has completed.
 */
export function formatDeploymentTable(rows: readonly DeploymentRow[], stylize: Stylize): string[] {
  const cells = rows.map((row) => {
    const startedMs = toEpochMs(row.started_at);
    const durationMs = durationBetween(row.started_at, row.completed_at);
    const peers = Array.isArray(row.peer_results) ? row.peer_results : [];
    const succeeded = peers.filter((peer) => peer.status === 'success').length;
    return [
      String(row.deployment_id),
      String(row.project ?? ''),
      String(row.status ?? ''),
      startedMs === undefined ? '-' : formatUtcTimestamp(startedMs),
      durationMs === undefined ? '-' : formatDuration(durationMs),
      peers.length === 0 ? '-' : `${succeeded}/${peers.length}`,
    ];
  });

  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const formatRow = (row: readonly string[], styleStatus: boolean) =>
    row
      .map((cell, column) => {
        const padded = cell.padEnd(widths[column] ?? 0);
        return styleStatus && column === STATUS_COLUMN
          ? stylize(statusStyle(cell), padded)
          : padded;
      })
      .join(COLUMN_GAP)
      .trimEnd();

  return [stylize('bold', formatRow(HEADERS, false)), ...cells.map((row) => formatRow(row, true))];
}

function statusStyle(status: string): 'green' | 'red' | 'yellow' {
  if (status === 'success') return 'green';
  if (status === 'failed' || status === 'rolled_back') return 'red';
  return 'yellow';
}
