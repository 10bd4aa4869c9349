import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventLogEntry } from './deployment-events.js';
import { InvalidArgumentError } from './errors.js';
import {
  appendEvent,
  DEFAULT_HEAD_EVENTS,
  DEFAULT_MAX_EVENTS,
  type EventLogLimits,
} from './event-log.js';

function installEntry(id: number): EventLogEntry {
  return {
    id,
    t: 1_000 + id,
    event: 'install',
    data: { manager: 'npm', stream: 'stdout', line: `line ${id}` },
  };
}

function appendAll(count: number, limits: Partial<EventLogLimits> = {}): EventLogEntry[] {
  let log: EventLogEntry[] = [];
  for (let id = 1; id <= count; id += 1) {
    log = appendEvent(log, installEntry(id), limits);
  }
  return log;
}

/** Expected log after appending `entries` in order: the simple model that appendEvent must match. */
function expectedLog(entries: readonly EventLogEntry[], limits: EventLogLimits): EventLogEntry[] {
  if (entries.length <= limits.maxEvents) {
    return [...entries];
  }
  const tailLength = limits.maxEvents - limits.headEvents - 1;
  const firstTailIndex = entries.length - tailLength;
  const lastDropped = entries[firstTailIndex - 1];
  if (lastDropped === undefined) {
    throw new Error('the model expects at least one dropped entry');
  }
  const marker: EventLogEntry = {
    id: lastDropped.id,
    t: lastDropped.t,
    event: 'truncated',
    data: { dropped_events: firstTailIndex - limits.headEvents },
  };
  return [...entries.slice(0, limits.headEvents), marker, ...entries.slice(firstTailIndex)];
}

describe('appendEvent', () => {
  it('appends while the log has room', () => {
    const log = appendAll(5);

    expect(log.map((entry) => entry.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('leaves the input log unchanged', () => {
    const log = appendAll(3);
    const copy = [...log];

    appendEvent(log, installEntry(4));

    expect(log).toEqual(copy);
  });

  it('keeps the first 20 and the newest events', () => {
    const log = appendAll(250);

    expect(log).toHaveLength(DEFAULT_MAX_EVENTS);
    expect(log.slice(0, DEFAULT_HEAD_EVENTS).map((entry) => entry.id)).toEqual(
      Array.from({ length: DEFAULT_HEAD_EVENTS }, (_, index) => index + 1),
    );
    expect(log[DEFAULT_MAX_EVENTS - 1]?.id).toBe(250);
  });

  it('puts one truncated marker after the head', () => {
    const log = appendAll(250);
    const markers = log.filter((entry) => entry.event === 'truncated');

    expect(markers).toHaveLength(1);
    expect(log[DEFAULT_HEAD_EVENTS]?.event).toBe('truncated');
  });

  it('counts every dropped event in the marker', () => {
    const log = appendAll(250);
    const marker = log[DEFAULT_HEAD_EVENTS];

    // 250 events, 200 entries: 20 head, 1 marker and 179 tail entries, so 51 were dropped.
    expect(marker?.data).toEqual({ dropped_events: 51 });
  });

  it('gives the marker the id and time of the last dropped event', () => {
    const log = appendAll(250);
    const marker = log[DEFAULT_HEAD_EVENTS];

    expect(marker?.id).toBe(71);
    expect(marker?.t).toBe(1_071);
  });

  it('drops two events when the marker first appears', () => {
    const log = appendAll(6, { maxEvents: 5, headEvents: 1 });

    expect(log.map((entry) => (entry.event === 'truncated' ? `x${entry.id}` : entry.id))).toEqual([
      1,
      'x3',
      4,
      5,
      6,
    ]);
    expect(log[1]?.data).toEqual({ dropped_events: 2 });
  });

  it('supports a log without head events', () => {
    const log = appendAll(10, { maxEvents: 3, headEvents: 0 });

    expect(log.map((entry) => entry.id)).toEqual([8, 9, 10]);
    expect(log[0]?.data).toEqual({ dropped_events: 8 });
  });

  it('rejects a truncated entry', () => {
    const marker: EventLogEntry = { id: 1, t: 0, event: 'truncated', data: { dropped_events: 1 } };

    expect(() => appendEvent([], marker)).toThrow(InvalidArgumentError);
  });

  it.each([
    { limits: { maxEvents: 21, headEvents: 20 }, argument: 'maxEvents' },
    { limits: { maxEvents: 1.5, headEvents: 0 }, argument: 'maxEvents' },
    { limits: { maxEvents: 10, headEvents: -1 }, argument: 'headEvents' },
    { limits: { maxEvents: 10, headEvents: Number.NaN }, argument: 'headEvents' },
  ])('rejects limits $limits', ({ limits, argument }) => {
    expect(() => appendEvent([], installEntry(1), limits)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument }),
    );
  });

  it('matches a model that keeps every event', () => {
    const limitsArbitrary = fc
      .record({ headEvents: fc.integer({ min: 0, max: 6 }), extra: fc.integer({ min: 2, max: 8 }) })
      .map(({ headEvents, extra }) => ({ headEvents, maxEvents: headEvents + extra }));
    const eventNames = fc.constantFrom('phase', 'install', 'peer', 'warning', 'error');

    fc.assert(
      fc.property(limitsArbitrary, fc.array(eventNames, { maxLength: 60 }), (limits, names) => {
        const entries: EventLogEntry[] = names.map(
          (name, index) =>
            ({
              ...installEntry(index + 1),
              // The names only vary the input, so the data of each kind is not modelled.
              event: name,
            }) as EventLogEntry,
        );

        let log: EventLogEntry[] = [];
        for (const entry of entries) {
          log = appendEvent(log, entry, limits);
          expect(log.length).toBeLessThanOrEqual(limits.maxEvents);
        }

        expect(log).toEqual(expectedLog(entries, limits));
      }),
    );
  });

  it('keeps ids strictly increasing along the log', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 0, max: 5 }),
        (count, headEvents) => {
          const log = appendAll(count, { maxEvents: headEvents + 4, headEvents });
          const ids = log.map((entry) => entry.id);

          expect(ids).toEqual([...ids].sort((left, right) => left - right));
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
    );
  });
});
