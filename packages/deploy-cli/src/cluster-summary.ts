import type { DeploymentOutcome } from './deployment-outcome.js';
import type { PeerResult } from './deployment-row.js';
import { errorText } from './error-text.js';
import { formatErrorLabel } from './format-event-line.js';
import { durationBetween, formatDuration } from './format-units.js';
import type { Stylize } from './terminal-style.js';

/** Messages collected from the live events, repeated in the summary. */
export interface CollectedNotices {
  warnings: readonly string[];
  errors: readonly string[];
}

/**
 * Returns the names of origin nodes. A peer result marks its node as the origin with
 * `origin: true`, or names the origin node with a string.
 */
export function findOriginNodes(peers: readonly PeerResult[]): Set<string> {
  const origins = new Set<string>();
  for (const peer of peers) {
    if (peer.origin === true) origins.add(peer.node);
    else if (typeof peer.origin === 'string' && peer.origin !== '') origins.add(peer.origin);
  }
  return origins;
}

/** Returns the nodes whose status is not `success`. */
export function findFailedNodes(peers: readonly PeerResult[]): string[] {
  return peers.filter((peer) => peer.status !== 'success').map((peer) => peer.node);
}

/**
 * Formats the end-of-deployment view: one line per node with its status and duration, the origin
 * first and marked, then the collected warnings and errors and the deployment's own error.
 */
export function formatClusterSummary(
  outcome: DeploymentOutcome,
  notices: CollectedNotices,
  stylize: Stylize,
): string[] {
  const peers = Array.isArray(outcome.result.peer_results) ? outcome.result.peer_results : [];
  const origins = findOriginNodes(peers);
  const ordered = [...peers].sort(
    (a, b) => Number(origins.has(b.node)) - Number(origins.has(a.node)),
  );
  const lines: string[] = [];

  if (ordered.length > 0) {
    const succeeded = ordered.filter((peer) => peer.status === 'success').length;
    lines.push(stylize('bold', `nodes: ${succeeded} of ${ordered.length} succeeded`));
    const rows = ordered.map((peer) => {
      const durationMs = durationBetween(peer.started_at, peer.completed_at);
      return {
        peer,
        cells: [
          peer.node,
          origins.has(peer.node) ? 'origin' : '',
          String(peer.status),
          durationMs === undefined ? '-' : formatDuration(durationMs),
        ],
      };
    });
    const widths = [0, 1, 2, 3].map((column) =>
      Math.max(...rows.map((row) => (row.cells[column] ?? '').length)),
    );
    for (const { peer, cells } of rows) {
      const padded = cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
      const mark = peer.status === 'success' ? stylize('green', '✓') : stylize('red', '✗');
      const errorMessage = errorText(peer.error);
      const error = errorMessage === undefined ? '' : `  ${errorMessage}`;
      lines.push(`  ${mark} ${padded.trimEnd()}${error}`);
    }
  }

  for (const warning of notices.warnings) {
    lines.push(`${stylize('yellow', '!')} warning: ${warning}`);
  }
  for (const error of notices.errors) {
    lines.push(`${stylize('red', '✗')} ${error}`);
  }
  if (!outcome.succeeded && outcome.message !== undefined) {
    lines.push(
      `${stylize('red', '✗')} ${formatErrorLabel(outcome.phase, outcome.code)}: ${outcome.message}`,
    );
  }
  return lines;
}

/**
 * Formats the one-line result for stdout: `deployment <id> success`, or the status, the failed
 * nodes and the error message.
 */
export function formatResultLine(outcome: DeploymentOutcome, stylize: Stylize): string {
  const status = outcome.succeeded
    ? stylize('green', outcome.status)
    : stylize('red', outcome.status);
  let line = `deployment ${outcome.deploymentId} ${status}`;
  if (outcome.succeeded) return line;

  const peers = Array.isArray(outcome.result.peer_results) ? outcome.result.peer_results : [];
  const failedNodes = findFailedNodes(peers);
  if (failedNodes.length > 0) line += ` (failed nodes: ${failedNodes.join(', ')})`;
  if (outcome.message !== undefined) line += `: ${outcome.message}`;
  return line;
}
