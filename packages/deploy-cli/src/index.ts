export type { DeployOptions, PayloadSummary, RestartMode, UploadSummary } from './deploy.js';
export { deploy, projectNameFromTarball, RESTART_MODES } from './deploy.js';
export type {
  DeploymentEvent,
  DoneEventData,
  ErrorEventData,
  FailureEventData,
  InstallEventData,
  PeerEventData,
  PhaseEventData,
  TruncatedEventData,
  WarningEventData,
} from './deployment-event.js';
export type { DeploymentOutcome } from './deployment-outcome.js';
export { readDeploymentOutcome } from './deployment-outcome.js';
export type {
  DeploymentList,
  DeploymentRow,
  DeploymentStatus,
  PeerResult,
  Timestamp,
} from './deployment-row.js';
export {
  ConnectionError,
  DeployInterruptedError,
  ServerRejectedError,
  StreamLostError,
  UsageError,
} from './errors.js';
export {
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_SUCCESS,
  EXIT_USAGE_OR_CONNECTION,
} from './exit-codes.js';
export type { FollowDeploymentOptions, ReconnectNotice } from './follow-deployment.js';
export {
  DEFAULT_RECONNECT_TIMEOUT_MS,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  followDeployment,
} from './follow-deployment.js';
export type { ListOptions } from './list.js';
export { list } from './list.js';
export type { PackDirectoryOptions, PackedDirectory } from './pack-directory.js';
export { ALWAYS_EXCLUDED_NAMES, DEFAULT_EXCLUDED_NAMES, packDirectory } from './pack-directory.js';
export type { DetachNotice, Renderer, RendererOptions, RendererStream } from './renderer.js';
export { createRenderer } from './renderer.js';
export type { CliContext } from './run-cli.js';
export { runCli } from './run-cli.js';
export type { ConnectionOptions, ServerTarget } from './server-target.js';
export { resolveServerTarget } from './server-target.js';
export type { UploadProgress } from './upload-payload.js';
export type { WatchOptions } from './watch.js';
export { watch } from './watch.js';
