/** Node of the cluster, as Harper lists it in `server.nodes`. */
export interface Peer {
  name: string;
  url: string;
}

/** Reason a peer failed, in a form that survives JSON. */
export interface PeerError {
  message: string;
  code: string;
}

/** Outcome of the replicated operation on one peer. */
export interface PeerReplicationResult {
  /** Node name of the peer. */
  node: string;
  status: 'success' | 'failed';
  error: PeerError | null;
  /** Start time in milliseconds since the Unix epoch, as the peer reported it or as measured. */
  started_at: number;
  /** End time in milliseconds since the Unix epoch, as the peer reported it or as measured. */
  completed_at: number;
  /** Value that the peer returned, when it returned one. */
  result?: unknown;
}

/** Resolved value of `replicateOperation`, with one entry per peer in peer order. */
export interface ReplicateResponse {
  message: string;
  replicated: PeerReplicationResult[];
}

/** Operation object sent to peers. It must pass `assertReplicable`. */
export type ReplicableOperation = Record<string, unknown>;

export interface PeerSendOptions {
  /** Aborts when the caller gives up on this peer. Transports should stop their request. */
  signal: AbortSignal;
  /**
   * Tells the caller that the peer has started to respond, for example with response headers.
   * It stops the caller's response deadline, so the transport's own timeouts govern the rest.
   * A transport that never calls it is held to the deadline until its result.
   */
  onAnswer?: () => void;
}

/** Transport that sends the operation to one peer at a time, for example over HTTP. */
export interface PeerTransport {
  listPeers(): Peer[] | Promise<Peer[]>;
  /**
   * Sends the operation to one peer and resolves with the peer's result. Rejects, or resolves
   * with `{status: 'failed', error}`, when the peer failed.
   */
  send(peer: Peer, operation: ReplicableOperation, options: PeerSendOptions): Promise<unknown>;
}

/**
 * Transport that sends the operation to all peers in one call, as Harper Pro's native
 * `replicateOperation` does. Entries of the array carry their node name in `node` or `name`.
 */
export interface BroadcastTransport {
  /** When present, fixes the peers and their order. Otherwise the entries decide both. */
  listPeers?(): Peer[] | Promise<Peer[]>;
  broadcast(operation: ReplicableOperation, options: PeerSendOptions): Promise<unknown[]>;
}

export type ReplicationTransport = PeerTransport | BroadcastTransport;
