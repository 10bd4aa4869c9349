import type { PeerReplicationResult } from './types.js';

export interface SummarizeReplicationOptions {
  /** Report peer failures as warnings and keep the status "success". */
  ignoreReplicationErrors?: boolean;
  /** Whether the cluster has peers, so that an empty result list means none was reached. */
  peersConfigured?: boolean;
}

export interface ReplicationSummary {
  status: 'success' | 'failed';
  /** Node names of the failed peers, in result order. */
  failedNodes: string[];
  /** Ignored failures, one sentence each. Empty unless `ignoreReplicationErrors` is set. */
  warnings: string[];
  message: string;
}

/**
 * Decides the deployment's replication outcome. It is "failed" when any peer failed, or when
 * peers are configured but no peer result exists. With `ignoreReplicationErrors` it is
 * "success" and each problem becomes a warning.
 */
export function summarizeReplication(
  peerResults: readonly PeerReplicationResult[],
  options: SummarizeReplicationOptions = {},
): ReplicationSummary {
  const { ignoreReplicationErrors = false, peersConfigured = false } = options;
  const failed = peerResults.filter((result) => result.status === 'failed');
  const failedNodes = failed.map((result) => result.node);
  const succeeded = peerResults.length - failed.length;
  const noneReached = peersConfigured && peerResults.length === 0;

  const problems = failed.map(
    (result) => `peer ${result.node} failed: ${result.error?.message ?? 'no reason reported'}`,
  );
  if (noneReached) problems.push('peers are configured but no peer was reached');

  if (problems.length === 0) {
    const message =
      peerResults.length === 0
        ? 'no peers configured'
        : `replicated to ${succeeded} of ${peerResults.length} peers`;
    return { status: 'success', failedNodes, warnings: [], message };
  }

  const counts = `${succeeded} of ${peerResults.length} peers succeeded`;
  const failure = noneReached
    ? 'replication failed: peers are configured but no peer was reached'
    : `replication failed on ${failedNodes.join(', ')} (${counts})`;

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
