import type { PeerError } from './types.js';

/** Fields of a peer result that the summary reads. Times may be missing or null. */
export interface SummarizedPeerResult {
  node: string;
  status: 'success' | 'failed';
  error: Pick<PeerError, 'message'> | null;
}

export interface SummarizeReplicationOptions {
  /** Report peer failures as warnings and keep the status "success". */
  ignoreReplicationErrors?: boolean;
  /**
   * Whether the cluster has peers, or how many. With `true` or a count above 0, an empty result
   * list means that no peer was reached. With a count, fewer results than peers is a failure.
   */
  peersConfigured?: boolean | number;
}

export interface ReplicationSummary {
  status: 'success' | 'failed';
  /** Node names of the failed peers, in result order. */
  failedNodes: string[];
  /** Ignored problems, one sentence each. Empty unless `ignoreReplicationErrors` is set. */
  warnings: string[];
  message: string;
}

/**
 * Decides the deployment's replication outcome. It is "failed" when any peer failed, when
 * peers are configured but no peer result exists, or when fewer results exist than the
 * configured peer count. With `ignoreReplicationErrors` it is "success" and each problem
 * becomes a warning.
 */
export function summarizeReplication(
  peerResults: readonly SummarizedPeerResult[],
  options: SummarizeReplicationOptions = {},
): ReplicationSummary {
  const { ignoreReplicationErrors = false, peersConfigured = false } = options;
  const configuredCount = typeof peersConfigured === 'number' ? peersConfigured : null;
  const hasPeers = configuredCount === null ? peersConfigured === true : configuredCount > 0;

  const failed = peerResults.filter((result) => result.status === 'failed');
  const failedNodes = failed.map((result) => result.node);
  const succeeded = peerResults.length - failed.length;
  const noneReached = hasPeers && peerResults.length === 0;
  const missingCount =
    configuredCount !== null && !noneReached
      ? Math.max(0, configuredCount - peerResults.length)
      : 0;
  const missingText = `${missingCount} of ${configuredCount} configured peers sent no result`;

  const problems = failed.map(
    (result) => `peer ${result.node} failed: ${result.error?.message ?? 'no reason reported'}`,
  );
  if (missingCount > 0) problems.push(missingText);
  if (noneReached) problems.push('peers are configured but no peer was reached');

  if (problems.length === 0) {
    const message =
      peerResults.length === 0
        ? 'no peers configured'
        : `replicated to ${succeeded} of ${peerResults.length} peers`;
    return { status: 'success', failedNodes, warnings: [], message };
  }

  let failure: string;
  if (noneReached) {
    failure = 'replication failed: peers are configured but no peer was reached';
  } else if (failedNodes.length === 0) {
    failure = `replication failed: ${missingText}`;
  } else {
    const counts = `${succeeded} of ${peerResults.length} peers succeeded`;
    failure = `replication failed on ${failedNodes.join(', ')} (${counts})`;
    if (missingCount > 0) failure += `, and ${missingText}`;
  }

  if (ignoreReplicationErrors) {
    return {
      status: 'success',
      failedNodes,
      warnings: problems,
      message: `${failure}, ignored because ignoreReplicationErrors is set`,
    };
  }
  return { status: 'failed', failedNodes, warnings: [], message: failure };
}
