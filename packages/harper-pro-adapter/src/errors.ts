import { describeValue } from './describe-value.js';

/** Codes of the errors that this package raises, one per failure kind. */
export type HarperProAdapterErrorCode =
  | 'INVALID_OPERATION'
  | 'PAYLOAD_IN_OPERATION'
  | 'INVALID_TIMEOUT'
  | 'PEER_LIST_FAILED'
  | 'PEER_MISSING_FROM_RESULT'
  | 'NATIVE_REPLICATION_FAILED'
  | 'CALLBACK_FAILED'
  | 'EVENT_NOT_SERIALIZABLE'
  | 'INVALID_PEER_URL'
  | 'PEER_REQUEST_FAILED'
  | 'PEER_ANSWER_TIMEOUT'
  | 'PEER_IDLE_TIMEOUT'
  | 'PEER_HTTP_ERROR'
  | 'PEER_CONNECTION_CLOSED'
  | 'PEER_PROTOCOL_ERROR';

/** Base class of every error in this package, so callers can catch them all at once. */
export abstract class HarperProAdapterError extends Error {
  abstract readonly code: HarperProAdapterErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The operation to replicate is not a plain object. */
export class InvalidOperationError extends HarperProAdapterError {
  readonly code = 'INVALID_OPERATION';
  readonly value: unknown;

  constructor(value: unknown) {
    super(
      `operation to replicate must be an object, got ${describeValue(value)}. ` +
        'Pass the operation built by stripForReplication.',
    );
    this.value = value;
  }
}

/**
 * The operation still carries the payload, binary data, a stream or a private field, which
 * must never be sent to peers.
 */
export class PayloadInOperationError extends HarperProAdapterError {
  readonly code = 'PAYLOAD_IN_OPERATION';
  /** Path of the offending field, such as `payload` or `options.data`. */
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, reason: string) {
    super(
      `operation field '${field}' ${reason} and must not be replicated (got ${describeValue(value)}). ` +
        'Build the operation with stripForReplication, which keeps only the allowed fields.',
    );
    this.field = field;
    this.value = value;
  }
}

/** A duration option is not a positive number of milliseconds. */
export class InvalidTimeoutError extends HarperProAdapterError {
  readonly code = 'INVALID_TIMEOUT';
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown, requirement: string) {
    super(
      `${option} must be ${requirement} of milliseconds, got ${describeValue(value)}. ` +
        `Pass ${option} as ${requirement}.`,
    );
    this.option = option;
    this.value = value;
  }
}

/** The transport could not list the peers, so nothing was sent. */
export class PeerListFailedError extends HarperProAdapterError {
  readonly code = 'PEER_LIST_FAILED';

  constructor(cause: unknown) {
    super(
      `listing the peers failed: ${messageOf(cause)}. Nothing was sent to any peer. ` +
        "Check the transport's peer source.",
      { cause },
    );
  }
}

/**
 * Error for a peer that did not respond within `answerTimeoutMs`: no response headers over HTTP,
 * or no result from a transport that does not report an earlier response.
 */
export class PeerAnswerTimeoutError extends HarperProAdapterError {
  readonly code = 'PEER_ANSWER_TIMEOUT';
  readonly peerName: string;
  readonly timeoutMs: number;

  constructor(peerName: string, timeoutMs: number) {
    super(
      `peer ${peerName} did not answer within ${timeoutMs} ms. ` +
        'Check that the peer is running, or raise answerTimeoutMs.',
    );
    this.peerName = peerName;
    this.timeoutMs = timeoutMs;
  }
}

/** The native result has no entry for a listed peer. */
export class PeerMissingFromResultError extends HarperProAdapterError {
  readonly code = 'PEER_MISSING_FROM_RESULT';
  readonly peerName: string;

  constructor(peerName: string) {
    super(
      `peer ${peerName} is missing from the native replication result. ` +
        "Check that the peer list and Harper's node names match.",
    );
    this.peerName = peerName;
  }
}

/** The native broadcast call itself failed, so no peer reported a result. */
export class NativeReplicationFailedError extends HarperProAdapterError {
  readonly code = 'NATIVE_REPLICATION_FAILED';

  constructor(cause: unknown) {
    super(
      `native replicateOperation failed: ${messageOf(cause)}. Check the cluster's replication status.`,
      { cause },
    );
  }
}

/** A caller's callback threw. Reported through `onWarning` and otherwise ignored. */
export class CallbackFailedError extends HarperProAdapterError {
  readonly code = 'CALLBACK_FAILED';
  readonly callback: string;
  readonly peerName: string;

  constructor(callback: string, peerName: string, cause: unknown) {
    super(
      `${callback} threw for peer ${peerName}: ${messageOf(cause)}. ` +
        'The error was ignored. Fix the callback so that it does not throw.',
      { cause },
    );
    this.callback = callback;
    this.peerName = peerName;
  }
}

/** An event passed to the emit function of a peer response cannot be sent as JSON. */
export class EventNotSerializableError extends HarperProAdapterError {
  readonly code = 'EVENT_NOT_SERIALIZABLE';
  readonly event: unknown;

  constructor(event: unknown, cause: unknown) {
    super(
      `event cannot be sent as JSON: ${messageOf(cause)}. The event was dropped. ` +
        'Emit plain JSON data without cycles or BigInt values.',
      { cause },
    );
    this.event = event;
  }
}

/** Returns the message of an error, or the value as text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    const { message } = error as { message?: unknown };
    if (typeof message === 'string') return message;
  }
  return String(error);
}
