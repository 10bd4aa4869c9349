// This node's view of its peers: their HTTP URLs, and the restart and health calls the origin
// makes during the restart phase.
import type { HarperServer } from './harper.js';
import type { NodeOutcome } from './lifecycle/restart.js';

export interface PeerNode {
  name: string;
  url: string;
}

const OUTCOME_POLL_MS = 250;

/** This node's HTTP port; peers are assumed to serve HTTP on the same port. */
export function ownHttpPort(server: HarperServer): number {
  const configured =
    process.env.DEPLOY_PEER_HTTP_PORT ??
    process.env.HTTP_PORT ??
    String((server.config?.http as { port?: unknown } | undefined)?.port ?? '9926');
  const port = Number(String(configured).split(':').pop());
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(
      `invalid HTTP port ${JSON.stringify(configured)}: set DEPLOY_PEER_HTTP_PORT to the peers' HTTP port`,
    );
  }
  return port;
}

/**
 * Lists the peers Harper replicates with. Harper 4.7.29's `server.nodes` can hold an entry
 * without a name or URL (seen right after a cluster starts), which is skipped, as is this node.
 */
export function listPeers(server: HarperServer): PeerNode[] {
  const peers: PeerNode[] = [];
  for (const node of server.nodes ?? []) {
    if (typeof node?.name !== 'string' || typeof node.url !== 'string') continue;
    if (node.name === server.hostname) continue;
    if (peers.some((peer) => peer.name === node.name)) continue;
    peers.push({ name: node.name, url: node.url });
  }
  return peers;
}

/**
 * Builds the HTTP base URL of a peer. Harper lists peers by their replication URL (ws://host:port), so
 * the host comes from there and the port is this node's HTTP port.
 */
// NOTE: a cluster whose nodes serve HTTP on different ports needs DEPLOY_PEER_HTTP_PORT per node.
export function peerHttpUrl(peer: PeerNode, httpPort: number): string {
  const replicationUrl = new URL(peer.url);
  return `http://${replicationUrl.hostname}:${httpPort}`;
}

interface HealthBody {
  ok: boolean;
  node: string;
  worker_started_at: number;
  outcome: NodeOutcome | null;
}

/** Asks a peer to restart its workers for a deployment it prepared. */
export async function requestPeerRestart(
  baseUrl: string,
  deploymentId: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const response = await fetch(`${baseUrl}/deploy_restart`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ deployment_id: deploymentId }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // The body was not JSON; its text is the message.
    }
    throw new Error(`restart request to ${baseUrl} failed with ${response.status}: ${message}`);
  }
}

/** Polls a peer until it reports its final outcome for a deployment, or the deadline passes. */
export async function waitForPeerOutcome(
  baseUrl: string,
  deploymentId: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<NodeOutcome> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no response yet';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(
        `${baseUrl}/deploy_health?deployment_id=${encodeURIComponent(deploymentId)}`,
        {
          headers,
          signal: AbortSignal.timeout(Math.min(5_000, Math.max(1, deadline - Date.now()))),
        },
      );
      if (response.ok) {
        const body = (await response.json()) as HealthBody;
        if (body.outcome) return body.outcome;
        lastError = 'the peer has not reported its outcome yet';
      } else {
        lastError = `status ${response.status}`;
      }
    } catch (error) {
      // Connection errors are expected while the peer's workers restart.
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, OUTCOME_POLL_MS));
  }
  throw new Error(
    `peer ${baseUrl} did not report that the component loaded within ${timeoutMs} ms (${lastError})`,
  );
}
