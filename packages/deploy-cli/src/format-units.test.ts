import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatUtcTimestamp, toEpochMs } from './format-units.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1_234_567, '1.2 MB'],
    [5_600_000_000, '5.6 GB'],
  ])('formats %d as %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0.0s'],
    [340, '0.3s'],
    [12_500, '12.5s'],
    [125_000, '2m 05s'],
    [3_720_000, '1h 02m'],
    [-50, '0.0s'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('toEpochMs', () => {
  it('accepts milliseconds', () => {
    expect(toEpochMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });

  it('accepts ISO strings', () => {
    expect(toEpochMs('2025-01-02T03:04:05.000Z')).toBe(Date.UTC(2025, 0, 2, 3, 4, 5));
  });

  it.each([[null], [undefined], ['yesterday'], [Number.NaN]])(
    'returns undefined for %j',
    (value) => {
      expect(toEpochMs(value)).toBeUndefined();
    },
  );
});

describe('formatUtcTimestamp', () => {
  it('formats in UTC without milliseconds', () => {
    expect(formatUtcTimestamp(Date.UTC(2025, 0, 2, 3, 4, 5, 678))).toBe('2025-01-02 03:04:05');
  });
});
