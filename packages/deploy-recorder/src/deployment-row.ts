import type { EventLogEntry } from './deployment-events.js';

/**
 * Status of a deployment. `success`, `failed` and `rolled_back` are terminal, and every other
 * status means the origin node is still working on the deployment.
 */
export type DeploymentStatus =
  | 'pending'
  | 'extracting'
  | 'installing'
  | 'loading'
  | 'replicating'
  | 'restarting'
  | 'success'
  | 'failed'
  | 'rolled_back';

/** Statuses that end a deployment. A row reaches one of them once and keeps it. */
export type TerminalDeploymentStatus = 'success' | 'failed' | 'rolled_back';

/** The way Harper restarts its HTTP workers after the component is installed. */
export type RestartMode = 'none' | 'immediate' | 'rolling';

/** Failure stored on the row of a failed or rolled-back deployment. */
export interface DeploymentError {
  message: string;
  /** Machine-readable failure code, such as `INSTALL_FAILED` or `ORIGIN_RESTARTED`. */
  code: string;
  /** Phase that was running when the deployment failed, or null before the first phase. */
  phase: string | null;
}

/** Failure that one node reported for its part of the deployment. */
export interface PeerError {
  message: string;
  code: string;
}

/** Outcome of one node. */
export type PeerStatus = 'success' | 'failed';

/** Outcome of the deployment on one node, as stored in `peer_results`. */
export interface PeerResult {
  node: string;
  status: PeerStatus;
  /** Failure details when `status` is `failed`, otherwise null. */
  error: PeerError | null;
  /** Epoch ms when the node started its part, or null when the node did not report it. */
  started_at: number | null;
  /** Epoch ms when the node finished its part, or when the origin received the result. */
  completed_at: number;
  /** True for the origin node's own result. */
  origin?: boolean;
}

/**
 * Canonical deployment record, one per deployment, written only by the origin node. The
 * attribute names are snake_case because the table schema fixes them.
 */
export interface DeploymentRow {
  /** UUID that identifies the deployment and is the table's primary key. */
  deployment_id: string;
  project: string;
  package_identifier: string | null;
  /** Harper blob with the uploaded package. The recorder stores it and never reads it. */
  payload_blob: unknown;
  /** Lowercase hex SHA-256 of the payload. */
  payload_hash: string | null;
  /** Payload size in bytes. */
  payload_size: number | null;
  status: DeploymentStatus;
  /** Last phase named by a `phase` event, or null before the first one. */
  phase: string | null;
  /** Bounded event log, see `appendEvent`. */
  event_log: EventLogEntry[];
  /** One result per node, in the order the nodes were first recorded. */
  peer_results: PeerResult[];
  origin_node: string;
  user: string;
  restart_mode: RestartMode;
  /** Epoch ms when the recorder was created. */
  started_at: number;
  /** Epoch ms when the row became terminal, null while the deployment runs. */
  completed_at: number | null;
  error: DeploymentError | null;
}
