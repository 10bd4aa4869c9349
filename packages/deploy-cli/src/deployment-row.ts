/** Status of a deployment row. The terminal ones are `success`, `failed` and `rolled_back`. */
export type DeploymentStatus =
  | 'pending'
  | 'uploading'
  | 'installing'
  | 'replicating'
  | 'restarting'
  | 'success'
  | 'failed'
  | 'rolled_back'
  | (string & {});

/** A timestamp as the server sends it: milliseconds since the epoch or an ISO 8601 string. */
export type Timestamp = number | string;

/** The outcome of one node in a deployment. */
export interface PeerResult {
  node: string;
  status: 'success' | 'failed' | (string & {});
  /** The server sends `{message, code}`; older servers may send a string. */
  error?: string | { message?: string; code?: string } | null;
  started_at?: Timestamp | null;
  completed_at?: Timestamp | null;
  /** Origin marker: `true` on the origin's own result, or the name of the origin node. */
  origin?: boolean | string | null;
}

/** A deployment row as the server returns it, without the payload blob. */
export interface DeploymentRow {
  deployment_id: string;
  project: string;
  status: DeploymentStatus;
  peer_results?: PeerResult[];
  error?: string | null;
  started_at?: Timestamp | null;
  completed_at?: Timestamp | null;
  [field: string]: unknown;
}

/** The body of `GET /deployments`. */
export interface DeploymentList {
  deployments: DeploymentRow[];
  total: number;
}
