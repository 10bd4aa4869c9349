export { assertReplicable } from './assert-replicable.js';
export {
  createHttpTransport,
  DEFAULT_HTTP_ANSWER_TIMEOUT_MS,
  DEFAULT_HTTP_IDLE_TIMEOUT_MS,
  DEFAULT_PEER_PATH,
  type HttpTransportOptions,
  MAX_RESPONSE_LINE_LENGTH,
} from './create-http-transport.js';
export {
  createNativeTransport,
  type NativeReplicateOperation,
  type NativeTransportOptions,
} from './create-native-transport.js';
export {
  createPeerResponse,
  DEFAULT_HEARTBEAT_MS,
  type EmitPeerEvent,
  PEER_WORK_FAILED_CODE,
  type PeerResponseOptions,
} from './create-peer-response.js';
export {
  type CreateReplicateOperationOptions,
  createReplicateOperation,
  DEFAULT_ANSWER_TIMEOUT_MS,
  type ReplicateCallOptions,
  type ReplicateOperation,
} from './create-replicate-operation.js';
export {
  CallbackFailedError,
  EventNotSerializableError,
  HarperProAdapterError,
  type HarperProAdapterErrorCode,
  InvalidOperationError,
  InvalidTimeoutError,
  NativeReplicationFailedError,
  PayloadInOperationError,
  PeerAnswerTimeoutError,
  PeerListFailedError,
  PeerMissingFromResultError,
} from './errors.js';
export {
  InvalidPeerUrlError,
  PeerConnectionClosedError,
  PeerHttpStatusError,
  PeerIdleTimeoutError,
  PeerProtocolError,
  PeerRequestFailedError,
} from './http-transport-errors.js';
export {
  type EventLine,
  type HeartbeatLine,
  PEER_RESPONSE_CONTENT_TYPE,
  type PeerResponseLine,
  type PeerWorkResult,
  type ResultLine,
} from './peer-protocol.js';
export {
  type ReplicationSummary,
  type SummarizedPeerResult,
  type SummarizeReplicationOptions,
  summarizeReplication,
} from './summarize-replication.js';
export {
  type MeasuredTimes,
  nodeNameOf,
  PEER_FAILED_CODE,
  toPeerResult,
  toPeerResults,
} from './to-peer-results.js';
export type {
  BroadcastTransport,
  Peer,
  PeerError,
  PeerReplicationResult,
  PeerSendOptions,
  PeerTransport,
  ReplicableOperation,
  ReplicateResponse,
  ReplicationTransport,
} from './types.js';
