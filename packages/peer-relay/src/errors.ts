/** Codes of the errors that this package raises, one per failure kind. */
export type PeerRelayErrorCode =
  | 'MISSING_REPLICATION_FIELD'
  | 'INVALID_REPLICATION_FIELD'
  | 'INVALID_TIMEOUT'
  | 'INVALID_RETRY_COUNT'
  | 'INVALID_BYTE_COUNT'
  | 'INVALID_DEPLOYMENT_ID'
  | 'ROW_NOT_FOUND'
  | 'PAYLOAD_BLOB_MISSING'
  | 'BLOB_IDLE_TIMEOUT'
  | 'INVALID_BLOB_STREAM'
  | 'INVALID_BLOB_CHUNK'
  | 'INVALID_PAYLOAD_EXPECTATION'
  | 'PAYLOAD_SIZE_MISMATCH'
  | 'PAYLOAD_HASH_MISMATCH'
  | 'HASH_NOT_FINISHED';

/** Base class of every error in this package, so callers can catch them all at once. */
export abstract class PeerRelayError extends Error {
  abstract readonly code: PeerRelayErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A field that every replicated deploy operation needs is missing or empty. */
export class MissingReplicationFieldError extends PeerRelayError {
  readonly code = 'MISSING_REPLICATION_FIELD';
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown) {
    super(
      `deploy request field '${field}' is missing (got ${describeValue(value)}). ` +
        `Set '${field}' before stripping the request for replication.`,
    );
    this.field = field;
    this.value = value;
  }
}

/** A replicated field has a type that cannot be sent to a peer as JSON. */
export class InvalidReplicationFieldError extends PeerRelayError {
  readonly code = 'INVALID_REPLICATION_FIELD';
  readonly field: string;
  readonly value: unknown;
  readonly expected: string;

  constructor(field: string, value: unknown, expected: string) {
    super(
      `deploy request field '${field}' must be ${expected}, got ${describeValue(value)}. ` +
        `Pass '${field}' as ${expected}.`,
    );
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

/** A duration option is not a finite, non-negative number of milliseconds. */
export class InvalidTimeoutError extends PeerRelayError {
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

/** A retry count is not a non-negative integer. */
export class InvalidRetryCountError extends PeerRelayError {
  readonly code = 'INVALID_RETRY_COUNT';
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown) {
    super(
      `${option} must be a non-negative integer, got ${describeValue(value)}. ` +
        `Pass ${option} as 0 or more.`,
    );
    this.option = option;
    this.value = value;
  }
}

/** A byte count option is not a non-negative safe integer. */
export class InvalidByteCountError extends PeerRelayError {
  readonly code = 'INVALID_BYTE_COUNT';
  readonly option: string;
  readonly value: unknown;

  constructor(option: string, value: unknown) {
    super(
      `${option} must be a whole number of bytes, 0 or more, got ${describeValue(value)}. ` +
        `Pass the blob's size in bytes.`,
    );
    this.option = option;
    this.value = value;
  }
}

/** The deployment id to wait for is not a non-empty string. */
export class InvalidDeploymentIdError extends PeerRelayError {
  readonly code = 'INVALID_DEPLOYMENT_ID';
  readonly value: unknown;

  constructor(value: unknown) {
    super(
      `deploymentId must be a non-empty string, got ${describeValue(value)}. ` +
        `Pass the _deploymentId of the replicated operation.`,
    );
    this.value = value;
  }
}

/** The deployment row did not reach this node before the deadline. */
export class RowNotFoundError extends PeerRelayError {
  readonly code = 'ROW_NOT_FOUND';
  readonly deploymentId: string;
  readonly timeoutMs: number;

  constructor(deploymentId: string, timeoutMs: number) {
    super(
      `deployment row ${deploymentId} did not arrive by replication within ${timeoutMs} ms. ` +
        'Check that the deployment table replicates to this node, or raise timeoutMs.',
    );
    this.deploymentId = deploymentId;
    this.timeoutMs = timeoutMs;
  }
}

/** The deployment row arrived, but its payload_blob did not arrive before the deadline. */
export class PayloadBlobMissingError extends PeerRelayError {
  readonly code = 'PAYLOAD_BLOB_MISSING';
  readonly deploymentId: string;
  readonly timeoutMs: number;

  constructor(deploymentId: string, timeoutMs: number) {
    super(
      `deployment row ${deploymentId} arrived but its payload_blob did not arrive by ` +
        `replication within ${timeoutMs} ms. Check that the origin stored the payload ` +
        'in payload_blob, or raise timeoutMs.',
    );
    this.deploymentId = deploymentId;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The blob stream delivered no bytes for `idleTimeoutMs`. The message is fixed so that callers
 * and logs can match it, and the fields carry the values.
 */
export class BlobIdleTimeoutError extends PeerRelayError {
  readonly code = 'BLOB_IDLE_TIMEOUT';
  readonly idleTimeoutMs: number;
  readonly bytesRead: number;

  constructor(idleTimeoutMs: number, bytesRead: number) {
    super('blob stream idle timeout');
    this.idleTimeoutMs = idleTimeoutMs;
    this.bytesRead = bytesRead;
  }
}

/** `blob.stream()` returned something that cannot be read as a stream. */
export class InvalidBlobStreamError extends PeerRelayError {
  readonly code = 'INVALID_BLOB_STREAM';
  readonly value: unknown;

  constructor(value: unknown) {
    super(
      `blob.stream() returned ${describeValue(value)}, expected a ReadableStream, a Node.js ` +
        'Readable or an async iterable. Pass a blob whose stream() returns one of them.',
    );
    this.value = value;
  }
}

/** The blob stream produced a chunk that is neither bytes nor a string. */
export class InvalidBlobChunkError extends PeerRelayError {
  readonly code = 'INVALID_BLOB_CHUNK';
  readonly value: unknown;

  constructor(value: unknown) {
    super(
      `blob stream produced a chunk of type ${describeValue(value)}, expected Uint8Array. ` +
        'Pass a blob whose stream() yields bytes.',
    );
    this.value = value;
  }
}

/** The expected size or hash given to the payload verifier is malformed. */
export class InvalidPayloadExpectationError extends PeerRelayError {
  readonly code = 'INVALID_PAYLOAD_EXPECTATION';
  readonly option: 'expectedSize' | 'expectedHash';
  readonly value: unknown;

  constructor(option: 'expectedSize' | 'expectedHash', value: unknown, requirement: string) {
    super(
      `${option} must be ${requirement}, got ${describeValue(value)}. Pass the value recorded by the origin.`,
    );
    this.option = option;
    this.value = value;
  }
}

/** The payload has more or fewer bytes than the origin recorded. */
export class PayloadSizeMismatchError extends PeerRelayError {
  readonly code = 'PAYLOAD_SIZE_MISMATCH';
  readonly expectedSize: number;
  /** Bytes received so far. For an oversize payload, the count when the excess was detected. */
  readonly actualSize: number;

  constructor(expectedSize: number, actualSize: number) {
    super(
      actualSize < expectedSize
        ? `payload truncated: got ${actualSize} of ${expectedSize} bytes. ` +
            'Retry the deploy so that this node reads the complete blob.'
        : `payload oversize: got at least ${actualSize} bytes, expected ${expectedSize}. ` +
            'Retry the deploy so that the blob and its recorded size match.',
    );
    this.expectedSize = expectedSize;
    this.actualSize = actualSize;
  }
}

/** The payload has the expected size, but its sha256 differs from the one the origin recorded. */
export class PayloadHashMismatchError extends PeerRelayError {
  readonly code = 'PAYLOAD_HASH_MISMATCH';
  readonly expectedHash: string;
  readonly actualHash: string;

  constructor(expectedHash: string, actualHash: string) {
    super(
      `payload corrupted: sha256 ${actualHash} does not match ${expectedHash}. ` +
        'Retry the deploy so that this node reads an intact blob.',
    );
    this.expectedHash = expectedHash;
    this.actualHash = actualHash;
  }
}

/** `digest()` was called on a hashing counter before its input ended. */
export class HashNotFinishedError extends PeerRelayError {
  readonly code = 'HASH_NOT_FINISHED';
  readonly bytes: number;

  constructor(bytes: number) {
    super(
      `sha256 digest is not available after ${bytes} bytes because the stream has not ended. ` +
        "Call digest() after the counter emits 'finish' or 'end'.",
    );
    this.bytes = bytes;
  }
}

/** Formats a value for an error message without dumping large or binary values. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const truncated = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    return JSON.stringify(truncated);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === 'object') {
    const constructorName = (value as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof constructorName !== 'string' || constructorName === 'Object') return 'an object';
    return `an instance of ${constructorName}`;
  }
  return typeof value;
}
