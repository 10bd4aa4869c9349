const BYTE_UNITS = ['kB', 'MB', 'GB', 'TB'] as const;
const BYTES_PER_KILOBYTE = 1000;
const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;

/** Formats a byte count with decimal units: `512 B`, `1.2 kB`, `3.4 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < BYTES_PER_KILOBYTE) return `${bytes} B`;
  let value = bytes;
  let unit: string = BYTE_UNITS[0];
  for (const candidate of BYTE_UNITS) {
    value /= BYTES_PER_KILOBYTE;
    unit = candidate;
    if (value < BYTES_PER_KILOBYTE) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** Formats a duration in milliseconds: `0.3s`, `12.5s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < MS_PER_MINUTE) return `${(clamped / MS_PER_SECOND).toFixed(1)}s`;
  if (clamped < MS_PER_HOUR) {
    const minutes = Math.floor(clamped / MS_PER_MINUTE);
    const seconds = Math.floor((clamped % MS_PER_MINUTE) / MS_PER_SECOND);
    return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  }
  const hours = Math.floor(clamped / MS_PER_HOUR);
  const minutes = Math.floor((clamped % MS_PER_HOUR) / MS_PER_MINUTE);
  return `${hours}h ${String(minutes).padStart(2, '0')}m`;
}

/**
 * Converts a server timestamp to milliseconds since the epoch. Accepts a number of milliseconds or
 * a date string that Date.parse reads, and returns `undefined` for anything else.
 */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return undefined;
}

/** Returns the time between two server timestamps in ms, or `undefined` if either is missing. */
export function durationBetween(start: unknown, end: unknown): number | undefined {
  const startMs = toEpochMs(start);
  const endMs = toEpochMs(end);
  if (startMs === undefined || endMs === undefined) return undefined;
  return endMs - startMs;
}

/** Formats epoch milliseconds as `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatUtcTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
