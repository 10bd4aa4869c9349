import { HarperProAdapterError, messageOf } from './errors.js';

/** The URL of a peer cannot be used for an HTTP request. */
export class InvalidPeerUrlError extends HarperProAdapterError {
  readonly code = 'INVALID_PEER_URL';
  readonly peerName: string;
  readonly url: string;

  constructor(peerName: string, url: string, cause?: unknown) {
    super(
      `peer ${peerName} has URL ${JSON.stringify(url)}, which is not an http or https URL. ` +
        "Pass peerUrl to map the peer to its HTTP address (Harper's replication URL uses ws or wss).",
      { cause },
    );
    this.peerName = peerName;
    this.url = url;
  }
}

/** The HTTP request to a peer failed before a response, for example with ECONNREFUSED. */
export class PeerRequestFailedError extends HarperProAdapterError {
  readonly code = 'PEER_REQUEST_FAILED';
  readonly peerName: string;
  readonly url: string;

  constructor(peerName: string, url: string, cause: unknown) {
    super(
      `request to peer ${peerName} at ${url} failed: ${messageOf(cause)}. ` +
        'Check that the peer is running and reachable.',
      { cause },
    );
    this.peerName = peerName;
    this.url = url;
  }
}

/** A peer sent its response headers but then no line, not even a heartbeat, for `idleTimeoutMs`. */
export class PeerIdleTimeoutError extends HarperProAdapterError {
  readonly code = 'PEER_IDLE_TIMEOUT';
  readonly peerName: string;
  readonly idleTimeoutMs: number;

  constructor(peerName: string, idleTimeoutMs: number) {
    super(
      `peer ${peerName} sent no line for ${idleTimeoutMs} ms after its response headers. ` +
        'Check that the peer sends heartbeats, or raise idleTimeoutMs.',
    );
    this.peerName = peerName;
    this.idleTimeoutMs = idleTimeoutMs;
  }
}

/** A peer responded with a status outside 2xx. */
export class PeerHttpStatusError extends HarperProAdapterError {
  readonly code = 'PEER_HTTP_ERROR';
  readonly peerName: string;
  readonly status: number;
  /** Error message from the peer's JSON body, or the start of its text body. */
  readonly peerMessage: string;

  constructor(peerName: string, status: number, peerMessage: string) {
    super(`peer ${peerName} responded with HTTP ${status}: ${peerMessage}`);
    this.peerName = peerName;
    this.status = status;
    this.peerMessage = peerMessage;
  }
}

/** The connection ended before the peer sent its result line. */
export class PeerConnectionClosedError extends HarperProAdapterError {
  readonly code = 'PEER_CONNECTION_CLOSED';
  readonly peerName: string;

  constructor(peerName: string, cause?: unknown) {
    super(
      `peer ${peerName} closed the connection before sending its result. ` +
        "Check the peer's log for a crash or restart during the deploy.",
      { cause },
    );
    this.peerName = peerName;
  }
}

/** A peer sent a line that is not valid JSON or exceeds the line size limit. */
export class PeerProtocolError extends HarperProAdapterError {
  readonly code = 'PEER_PROTOCOL_ERROR';
  readonly peerName: string;
  /** The start of the offending line. */
  readonly line: string;

  constructor(peerName: string, line: string, reason: string, cause?: unknown) {
    super(
      `peer ${peerName} sent ${reason}: ${JSON.stringify(line.slice(0, 120))}. ` +
        'Check that the peer runs a compatible version of the deploy integration.',
      { cause },
    );
    this.peerName = peerName;
    this.line = line.slice(0, 1_000);
  }
}
