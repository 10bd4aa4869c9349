import type { DeploymentEvent } from './deployment-event.js';
import type { DeploymentRow, DeploymentStatus } from './deployment-row.js';
import { isRecord } from './is-record.js';

/** The end state of a deployment, read from its final event. */
export interface DeploymentOutcome {
  deploymentId: string;
  status: DeploymentStatus;
  /** Whether the status is `success`. */
  succeeded: boolean;
  /** The deployment row carried by the final event. */
  result: DeploymentRow;
  /** The message of a final `error` event, or else the row's `error`. */
  message: string | undefined;
  /** The `code` of a final `error` event. */
  code: string | undefined;
  /** The `phase` of a final `error` event. */
  phase: string | undefined;
  /** The final event itself. */
  event: DeploymentEvent;
}

/**
 * Returns the outcome when the event is final, otherwise `undefined`. An event is final when its
 * data contains a `result` object: `done` on success, `error` on failure.
 */
export function readDeploymentOutcome(event: DeploymentEvent): DeploymentOutcome | undefined {
  if (!isRecord(event.data) || !isRecord(event.data.result)) {
    return undefined;
  }
  const data = event.data;
  const result = data.result as DeploymentRow;
  const status: DeploymentStatus =
    typeof result.status === 'string'
      ? result.status
      : event.event === 'done'
        ? 'success'
        : 'failed';
  const message = typeof data.message === 'string' ? data.message : (result.error ?? undefined);

  return {
    deploymentId: String(result.deployment_id),
    status,
    succeeded: status === 'success',
    result,
    message: message === null ? undefined : message,
    code: typeof data.code === 'string' ? data.code : undefined,
    phase: typeof data.phase === 'string' ? data.phase : undefined,
    event,
  };
}
