import type { PeerResult } from './deployment-row.js';
import type { NormalizedPeerResult } from './peer-result.js';

/** Merged list of peer results and the results that were added or changed by the merge. */
export interface PeerResultMerge {
  results: PeerResult[];
  changed: PeerResult[];
}

/**
 * Upserts `incoming` into `existing` by node name. A node keeps the position where it was first
 * seen, and a later result for it replaces the earlier one. When the later result took its
 * `completed_at` from the clock, the stored `completed_at` is kept, so that recording the same
 * results again changes nothing. Neither input is modified.
 */
export function mergePeerResults(
  existing: readonly PeerResult[],
  incoming: readonly NormalizedPeerResult[],
): PeerResultMerge {
  const results = [...existing];
  const indexByNode = new Map(results.map((result, index) => [result.node, index]));
  const changedNodes = new Set<string>();

  for (const { result, completedAtFromClock } of incoming) {
    const index = indexByNode.get(result.node);
    const current = index === undefined ? undefined : results[index];

    if (index === undefined || current === undefined) {
      indexByNode.set(result.node, results.length);
      results.push(result);
      changedNodes.add(result.node);
      continue;
    }

    const candidate = completedAtFromClock
      ? { ...result, completed_at: current.completed_at }
      : result;
    if (!samePeerResult(current, candidate)) {
      results[index] = candidate;
      changedNodes.add(result.node);
    }
  }

  const changed = results.filter((result) => changedNodes.has(result.node));
  return { results, changed };
}

/** Returns whether two results have the same node, outcome, error and timestamps. */
export function samePeerResult(left: PeerResult, right: PeerResult): boolean {
  return (
    left.node === right.node &&
    left.status === right.status &&
    left.error?.message === right.error?.message &&
    left.error?.code === right.error?.code &&
    left.started_at === right.started_at &&
    left.completed_at === right.completed_at &&
    (left.origin === true) === (right.origin === true)
  );
}
