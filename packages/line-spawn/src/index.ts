export { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_LINE_LENGTH, EXIT_DRAIN_MS } from './defaults.js';
export { AbortedError } from './errors/aborted-error.js';
export { CommandNotFoundError } from './errors/command-not-found-error.js';
export { IdleTimeoutError } from './errors/idle-timeout-error.js';
export { LineSpawnError, type LineSpawnErrorOptions } from './errors/line-spawn-error.js';
export { NonZeroExitError } from './errors/non-zero-exit-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { formatTruncationMarker } from './line-splitter.js';
export { spawnLines } from './spawn-lines.js';
export type {
  CarriageReturnPolicy,
  LineListener,
  LineStream,
  SpawnLinesOptions,
  StdinOption,
} from './spawn-lines-options.js';
export type { SpawnLinesResult } from './spawn-lines-result.js';
