import type { DeploymentEvent } from './deployment-event.js';
import { readDeploymentOutcome } from './deployment-outcome.js';

/** One line of `--json` output. */
export interface JsonEventLine {
  /** The event id as a number when it is a decimal sequence number, else as sent. */
  id: number | string | null;
  event: string;
  data: unknown;
  /** Set on the final event only. */
  deployment_id?: string;
  /** Set on the final event only. */
  status?: string;
}

/**
 * Serializes an event as one JSON line, without the trailing newline. The final event also
 * carries `deployment_id` and `status` at the top level.
 */
export function formatJsonEventLine(event: DeploymentEvent): string {
  const line: JsonEventLine = {
    id: event.id === undefined ? null : /^\d+$/.test(event.id) ? Number(event.id) : event.id,
    event: event.event,
    data: event.data,
  };
  const outcome = readDeploymentOutcome(event);
  if (outcome !== undefined) {
    line.deployment_id = outcome.deploymentId;
    line.status = outcome.status;
  }
  return JSON.stringify(line);
}
