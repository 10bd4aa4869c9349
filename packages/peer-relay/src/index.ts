export {
  BlobIdleTimeoutError,
  HashNotFinishedError,
  InvalidBlobChunkError,
  InvalidBlobStreamError,
  InvalidByteCountError,
  InvalidDeploymentIdError,
  InvalidPayloadExpectationError,
  InvalidReplicationFieldError,
  InvalidRetryCountError,
  InvalidTimeoutError,
  MissingReplicationFieldError,
  PayloadBlobMissingError,
  PayloadHashMismatchError,
  PayloadSizeMismatchError,
  PeerRelayError,
  type PeerRelayErrorCode,
  RowNotFoundError,
} from './errors.js';
export { createHashingCounter, HashingCounter } from './hashing-counter.js';
export { isReplicatedExecution } from './is-replicated-execution.js';
export { isTransientBlobError } from './is-transient-blob-error.js';
export { isPayloadBlob, type PayloadBlob } from './payload-blob.js';
export { createPayloadVerifier, type PayloadVerifierOptions } from './payload-verifier.js';
export {
  DEFAULT_BLOB_RETRIES,
  DEFAULT_BLOB_RETRY_BACKOFF_MS,
  DEFAULT_PEER_RECEIVE_IDLE_TIMEOUT_MS,
  type StreamBlobOptions,
  streamBlob,
} from './stream-blob.js';
export {
  REPLICATED_FIELDS,
  type ReplicatedDeployOperation,
  type ReplicatedField,
  stripForReplication,
} from './strip-for-replication.js';
export {
  DEFAULT_MAX_POLL_INTERVAL_MS,
  DEFAULT_POLL_INTERVAL_MS,
  type DeploymentPayload,
  type DeploymentRow,
  type DeploymentTable,
  type WaitForDeploymentPayloadOptions,
  waitForDeploymentPayload,
} from './wait-for-deployment-payload.js';
