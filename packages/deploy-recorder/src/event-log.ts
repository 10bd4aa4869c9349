import type { EventLogEntry, EventLogEntryOf } from './deployment-events.js';
import { InvalidArgumentError } from './errors.js';

/** Default maximum number of entries in a row's event log, the truncation marker included. */
export const DEFAULT_MAX_EVENTS = 200;

/** Default number of first events that truncation always keeps. */
export const DEFAULT_HEAD_EVENTS = 20;

/** Bounds of the event log. `maxEvents` must be at least `headEvents + 2`. */
export interface EventLogLimits {
  /** Maximum number of entries, the truncation marker included. */
  maxEvents: number;
  /** Number of first events kept once the log is full. */
  headEvents: number;
}

/** Applies the defaults to `limits` and throws `InvalidArgumentError` for invalid bounds. */
export function resolveEventLogLimits(limits: Partial<EventLogLimits> = {}): EventLogLimits {
  const maxEvents = limits.maxEvents ?? DEFAULT_MAX_EVENTS;
  const headEvents = limits.headEvents ?? DEFAULT_HEAD_EVENTS;

  if (!Number.isSafeInteger(headEvents) || headEvents < 0) {
    throw new InvalidArgumentError('headEvents', headEvents, 'an integer of at least 0');
  }
  // The marker and at least one newest event must fit after the first events.
  if (!Number.isSafeInteger(maxEvents) || maxEvents < headEvents + 2) {
    throw new InvalidArgumentError(
      'maxEvents',
      maxEvents,
      `an integer of at least headEvents + 2 (${headEvents + 2})`,
    );
  }
  return { maxEvents, headEvents };
}

/**
 * Returns a new log with `entry` appended, bounded to `limits.maxEvents` entries. The input log
 * is not modified.
 *
 * Once the log is full it keeps the first `headEvents` entries, then one `truncated` marker,
 * then the newest entries. The marker's `data.dropped_events` counts every event dropped so far.
 * The marker takes the `id` and `t` of the last dropped event, so ids keep increasing along the
 * log and a client that resumes after a dropped id still receives the marker.
 *
 * Throws `InvalidArgumentError` when `entry` is itself a `truncated` marker or the limits are
 * invalid.
 */
export function appendEvent(
  log: readonly EventLogEntry[],
  entry: EventLogEntry,
  limits: Partial<EventLogLimits> = {},
): EventLogEntry[] {
  const { maxEvents, headEvents } = resolveEventLogLimits(limits);
  if (entry.event === 'truncated') {
    throw new InvalidArgumentError('entry.event', entry.event, 'an event other than truncated');
  }
  if (log.length < maxEvents) {
    return [...log, entry];
  }

  const head = log.slice(0, headEvents);
  const marker = log[headEvents];
  const previousMarker = marker?.event === 'truncated' ? marker : undefined;
  const keptAfterHead = log.slice(previousMarker ? headEvents + 1 : headEvents);
  const candidates = [...keptAfterHead, entry];

  const tailLength = maxEvents - headEvents - 1;
  const dropCount = candidates.length - tailLength;
  const lastDropped = candidates[dropCount - 1];
  if (lastDropped === undefined) {
    // Unreachable: a full log always has more candidates than tail slots.
    return [...log, entry];
  }

  const newMarker: EventLogEntryOf<'truncated'> = Object.freeze({
    id: lastDropped.id,
    t: lastDropped.t,
    event: 'truncated',
    data: Object.freeze({
      dropped_events: (previousMarker?.data.dropped_events ?? 0) + dropCount,
    }),
  });
  return [...head, newMarker, ...candidates.slice(dropCount)];
}
