// Deploy settings for this node, read once from environment variables so tests and operators can
// tune them without editing the component. Each default carries its unit in its name.
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_FIELD_BYTES = 64 * 1024;
export const DEFAULT_MAX_FIELDS = 20;
export const DEFAULT_MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_ARCHIVE_ENTRIES = 100_000;
export const DEFAULT_MAX_EXPANDED_BYTES = 4 * 1024 * 1024 * 1024;
export const DEFAULT_INSTALL_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_PEER_ROW_TIMEOUT_MS = 60_000;
export const DEFAULT_PEER_RECEIVE_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_PEER_ANSWER_TIMEOUT_MS = 30_000;
export const DEFAULT_PEER_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_RESTART_TIMEOUT_MS = 180_000;
export const DEFAULT_STALE_DEPLOYMENT_MS = 30 * 60_000;
export const DEFAULT_SSE_HEARTBEAT_MS = 10_000;
export const DEFAULT_SSE_MAX_DURATION_MS = 60 * 60_000;

export interface DeploySettings {
  maxPayloadBytes: number;
  maxFieldBytes: number;
  maxFields: number;
  maxJsonBodyBytes: number;
  maxArchiveEntries: number;
  maxExpandedBytes: number;
  installTimeoutMs: number;
  peerRowTimeoutMs: number;
  peerReceiveIdleTimeoutMs: number;
  peerAnswerTimeoutMs: number;
  peerIdleTimeoutMs: number;
  restartTimeoutMs: number;
  staleDeploymentMs: number;
  sseHeartbeatMs: number;
  sseMaxDurationMs: number;
  /** Whether a request may name its own install command. */
  allowInstallCommand: boolean;
}

const VARIABLES: Record<keyof Omit<DeploySettings, 'allowInstallCommand'>, [string, number]> = {
  maxPayloadBytes: ['DEPLOY_MAX_PAYLOAD_BYTES', DEFAULT_MAX_PAYLOAD_BYTES],
  maxFieldBytes: ['DEPLOY_MAX_FIELD_BYTES', DEFAULT_MAX_FIELD_BYTES],
  maxFields: ['DEPLOY_MAX_FIELDS', DEFAULT_MAX_FIELDS],
  maxJsonBodyBytes: ['DEPLOY_MAX_JSON_BODY_BYTES', DEFAULT_MAX_JSON_BODY_BYTES],
  maxArchiveEntries: ['DEPLOY_MAX_ARCHIVE_ENTRIES', DEFAULT_MAX_ARCHIVE_ENTRIES],
  maxExpandedBytes: ['DEPLOY_MAX_EXPANDED_BYTES', DEFAULT_MAX_EXPANDED_BYTES],
  installTimeoutMs: ['DEPLOY_INSTALL_TIMEOUT_MS', DEFAULT_INSTALL_TIMEOUT_MS],
  peerRowTimeoutMs: ['DEPLOY_PEER_ROW_TIMEOUT_MS', DEFAULT_PEER_ROW_TIMEOUT_MS],
  peerReceiveIdleTimeoutMs: [
    'DEPLOY_PEER_RECEIVE_IDLE_TIMEOUT_MS',
    DEFAULT_PEER_RECEIVE_IDLE_TIMEOUT_MS,
  ],
  peerAnswerTimeoutMs: ['DEPLOY_PEER_ANSWER_TIMEOUT_MS', DEFAULT_PEER_ANSWER_TIMEOUT_MS],
  peerIdleTimeoutMs: ['DEPLOY_PEER_IDLE_TIMEOUT_MS', DEFAULT_PEER_IDLE_TIMEOUT_MS],
  restartTimeoutMs: ['DEPLOY_RESTART_TIMEOUT_MS', DEFAULT_RESTART_TIMEOUT_MS],
  staleDeploymentMs: ['DEPLOY_STALE_DEPLOYMENT_MS', DEFAULT_STALE_DEPLOYMENT_MS],
  sseHeartbeatMs: ['DEPLOY_SSE_HEARTBEAT_MS', DEFAULT_SSE_HEARTBEAT_MS],
  sseMaxDurationMs: ['DEPLOY_SSE_MAX_DURATION_MS', DEFAULT_SSE_MAX_DURATION_MS],
};

/** Reads the settings from `env`; an invalid value throws an error naming the variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): DeploySettings {
  const settings = {
    allowInstallCommand: env.DEPLOY_ALLOW_INSTALL_COMMAND !== 'false',
  } as DeploySettings;
  for (const [key, [variable, fallback]] of Object.entries(VARIABLES)) {
    const raw = env[variable];
    let value = fallback;
    if (raw !== undefined && raw !== '') {
      value = Number(raw);
      if (!Number.isFinite(value) || value <= 0) {
        throw new Error(`invalid ${variable}=${raw}: set it to a positive number`);
      }
    }
    (settings as unknown as Record<string, number>)[key] = value;
  }
  return settings;
}
