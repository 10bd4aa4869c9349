/** Content type of a peer's response: one JSON object per line. */
export const PEER_RESPONSE_CONTENT_TYPE = 'application/x-ndjson';

/** Line that a peer sends while its work runs, to show the origin that it is alive. */
export interface HeartbeatLine {
  type: 'heartbeat';
}

/** Progress that a peer reports, such as an install output line. */
export interface EventLine {
  type: 'event';
  event: Record<string, unknown>;
}

/** Last line of every response. `result` has the shape of a peer result without `node`. */
export interface ResultLine {
  type: 'result';
  result: PeerWorkResult;
}

export type PeerResponseLine = HeartbeatLine | EventLine | ResultLine;

/** Outcome of the work on a peer, in epoch milliseconds. */
export type PeerWorkResult =
  | { status: 'success'; started_at: number; completed_at: number; result?: unknown }
  | {
      status: 'failed';
      started_at: number;
      completed_at: number;
      error: { message: string; code: string };
    };
