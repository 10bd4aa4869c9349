import type { PeerError, PeerStatus } from './deployment-row.js';

/** Phases that move the row's status when they start. Other phase names are allowed. */
export type KnownDeploymentPhase = 'extract' | 'install' | 'load' | 'replicate' | 'restart';

/** Phase name. The known phases get editor completion, and any other string is accepted. */
export type DeploymentPhase = KnownDeploymentPhase | (string & {});

/** Data of a `phase` event. */
export interface PhaseEventData {
  phase: DeploymentPhase;
  status: 'start' | 'done' | 'error';
  message?: string;
}

/** Data of an `install` event: one output line of the package manager. */
export interface InstallEventData {
  /** Package manager that printed the line, such as `npm` or `pnpm`. */
  manager: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** Data of a `peer` event: the outcome of one node. */
export interface PeerEventData {
  node: string;
  status: PeerStatus;
  /** Present only when `status` is `failed`. */
  error?: PeerError;
  started_at: number | null;
  completed_at: number;
}

/** Data of a `warning` event. Fields other than `message` are free-form context. */
export interface WarningEventData {
  message: string;
  [key: string]: unknown;
}

/** Data of an `error` event. */
export interface ErrorEventData {
  message: string;
  code: string;
  phase: string | null;
}

/** Data of the `truncated` marker that replaces the events dropped from the middle of the log. */
export interface TruncatedEventData {
  /** Number of events dropped since the deployment started. */
  dropped_events: number;
}

/** Event data by event name. */
export interface DeploymentEventDataMap {
  phase: PhaseEventData;
  install: InstallEventData;
  peer: PeerEventData;
  warning: WarningEventData;
  error: ErrorEventData;
  truncated: TruncatedEventData;
}

/** Name of an event in the log. */
export type DeploymentEventName = keyof DeploymentEventDataMap;

/** Event names that callers may emit. Only the event log itself writes `truncated` markers. */
export type EmittableEventName = Exclude<DeploymentEventName, 'truncated'>;

/** Event log entry for one event name. */
export interface EventLogEntryOf<E extends DeploymentEventName> {
  /** Sequence number: 1 for the first event, then one more for each event emitted. */
  readonly id: number;
  /** Epoch ms when the event was emitted. */
  readonly t: number;
  readonly event: E;
  readonly data: Readonly<DeploymentEventDataMap[E]>;
}

/** Event log entry, discriminated by `event`. */
export type EventLogEntry = {
  [E in DeploymentEventName]: EventLogEntryOf<E>;
}[DeploymentEventName];

/** Event names accepted by `DeploymentRecorder.emit`. */
export const EMITTABLE_EVENT_NAMES: readonly EmittableEventName[] = Object.freeze([
  'phase',
  'install',
  'peer',
  'warning',
  'error',
]);
