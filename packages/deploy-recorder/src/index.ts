export {
  type DeploymentEventDataMap,
  type DeploymentEventName,
  type DeploymentPhase,
  EMITTABLE_EVENT_NAMES,
  type EmittableEventName,
  type ErrorEventData,
  type EventLogEntry,
  type EventLogEntryOf,
  type InstallEventData,
  type KnownDeploymentPhase,
  type PeerEventData,
  type PhaseEventData,
  type TruncatedEventData,
  type WarningEventData,
} from './deployment-events.js';
export {
  DEFAULT_FAILURE_CODE,
  DeploymentRecorder,
  type DeploymentSubscriber,
  type FailureDetails,
  type FinishOptions,
} from './deployment-recorder.js';
export type {
  DeploymentError,
  DeploymentRow,
  DeploymentStatus,
  PeerError,
  PeerResult,
  PeerStatus,
  RestartMode,
  TerminalDeploymentStatus,
} from './deployment-row.js';
export {
  DEPLOYMENT_STATUSES,
  isDeploymentStatus,
  isTerminalStatus,
  statusForPhaseStart,
  TERMINAL_STATUSES,
} from './deployment-status.js';
export type { DeploymentTable } from './deployment-table.js';
export {
  DeploymentReadError,
  DeploymentRecorderError,
  DeploymentWriteError,
  InvalidArgumentError,
  InvalidRecorderStateError,
  InvalidTerminalStatusError,
  SubscriberError,
} from './errors.js';
export {
  appendEvent,
  DEFAULT_HEAD_EVENTS,
  DEFAULT_MAX_EVENTS,
  type EventLogLimits,
  resolveEventLogLimits,
} from './event-log.js';
export {
  DEFAULT_FALLBACK_NODE,
  DEFAULT_PEER_ERROR_CODE,
  DEFAULT_PEER_ERROR_MESSAGE,
  type NormalizePeerResultOptions,
  normalizePeerResult,
} from './peer-result.js';
export { type PublicDeploymentRow, toPublicRow } from './public-row.js';
export type { DeploymentRecorderOptions } from './recorder-options.js';
export { type DeploymentRowUpdate, RESTART_MODES } from './row-update.js';
export {
  DEFAULT_STALE_EXCLUDED_STATUSES,
  type MarkStaleDeploymentsOptions,
  markStaleDeployments,
  ORIGIN_RESTARTED_CODE,
  ORIGIN_RESTARTED_MESSAGE,
} from './stale-deployments.js';
