import type { DeploymentRow, PeerResult, Timestamp } from './deployment-row.js';

/** One server-sent event of a deployment log, with its `data` parsed from JSON. */
export interface DeploymentEvent {
  /** The log entry's sequence number, or `undefined` when the event carried no `id:` line. */
  id: string | undefined;
  /** The SSE event type, `message` when the event carried no `event:` line. */
  event: string;
  /** The parsed JSON data, or the raw text when the data is not valid JSON. */
  data: unknown;
}

/** Data of a `phase` event. */
export interface PhaseEventData {
  phase: string;
  status: 'start' | 'done' | 'error';
  message?: string;
  t: Timestamp;
}

/** Data of an `install` event: one line of the install command's output. */
export interface InstallEventData {
  manager: string;
  stream: 'stdout' | 'stderr';
  line: string;
  t: Timestamp;
}

/** Data of a `peer` event: one node finished its part of the deployment. */
export type PeerEventData = PeerResult;

/** Data of a `warning` event. */
export interface WarningEventData {
  message: string;
}

/** Data of a non-final `error` event. */
export interface ErrorEventData {
  message: string;
  code?: string;
  phase?: string;
}

/** Data of a `truncated` event: the server's log dropped entries to stay bounded. */
export interface TruncatedEventData {
  dropped_events: number;
}

/** Data of the final `done` event of a successful deployment. */
export interface DoneEventData {
  result: DeploymentRow;
}

/** Data of the final `error` event of a failed deployment. */
export interface FailureEventData extends ErrorEventData {
  result: DeploymentRow;
}
