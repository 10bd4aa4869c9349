import type { BroadcastTransport, Peer, ReplicableOperation } from './types.js';

/**
 * Harper Pro's `server.replication.replicateOperation`: sends the request to every node and
 * resolves with one entry per node in `replicated`.
 */
export type NativeReplicateOperation = (
  request: ReplicableOperation,
) => Promise<{ replicated?: unknown[] } | undefined> | { replicated?: unknown[] } | undefined;

export interface NativeTransportOptions {
  /**
   * Lists the peers, for example from Harper's `server.nodes`. When given, results follow
   * this order and a listed peer without an entry is recorded as failed.
   */
  listPeers?: () => Peer[] | Promise<Peer[]>;
}

/**
 * Adapts Harper Pro's native `replicateOperation` to a {@link BroadcastTransport}.
 *
 * The native call sends to all nodes at once, so results arrive together, and the caller's
 * signal and deadline can only stop waiting, not the native sends. Each entry of
 * `replicated` becomes one peer result as described for `toPeerResults`. An entry is matched
 * to a peer by its `node` field, or `name` when `node` is absent. Harper's entry for a
 * rejected send is `{node, status: 'failed', reason}`, and its entry for a success is the
 * peer's operation response with `node` added. A response without `replicated` means no
 * node received the operation.
 */
export function createNativeTransport(
  nativeReplicateOperation: NativeReplicateOperation,
  options: NativeTransportOptions = {},
): BroadcastTransport {
  const transport: BroadcastTransport = {
    async broadcast(operation) {
      // In harperdb 4.7.29, replicateOperation sends only when `request.replicated` is truthy
      // and sets it to false first, so that peers do not send it on. The flag goes on a copy.
      const response = await nativeReplicateOperation({ ...operation, replicated: true });
      return Array.isArray(response?.replicated) ? response.replicated : [];
    },
  };
  if (options.listPeers) transport.listPeers = options.listPeers;
  return transport;
}
