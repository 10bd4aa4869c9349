import {
  type DeploymentEventDataMap,
  EMITTABLE_EVENT_NAMES,
  type EmittableEventName,
} from './deployment-events.js';
import { InvalidArgumentError } from './errors.js';

const PHASE_EVENT_STATUSES: readonly string[] = ['start', 'done', 'error'];

/**
 * Throws `InvalidArgumentError` unless `event` is an emittable event name and `data` is an
 * object. For `phase` events it also checks `phase` and `status`, because they change the row.
 */
export function validateEmittedEvent<E extends EmittableEventName>(
  event: E,
  data: DeploymentEventDataMap[E],
): void {
  if (!EMITTABLE_EVENT_NAMES.includes(event)) {
    throw new InvalidArgumentError('event', event, `one of ${EMITTABLE_EVENT_NAMES.join(', ')}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidArgumentError('data', data, `an object with the ${event} event's data`);
  }
  if (event !== 'phase') {
    return;
  }
  const record = data as Record<string, unknown>;
  if (typeof record.phase !== 'string' || record.phase === '') {
    throw new InvalidArgumentError('data.phase', record.phase, 'a non-empty phase name');
  }
  if (!PHASE_EVENT_STATUSES.includes(record.status as string)) {
    throw new InvalidArgumentError('data.status', record.status, 'start, done or error');
  }
}
