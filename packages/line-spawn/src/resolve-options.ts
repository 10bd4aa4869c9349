import { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_LINE_LENGTH } from './defaults.js';
import type {
  CarriageReturnPolicy,
  LineListener,
  SpawnLinesOptions,
  StdinOption,
} from './spawn-lines-options.js';

/** Largest delay that Node.js timers accept, in milliseconds (2^31 - 1, about 24.8 days). */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Options with defaults applied and values checked. */
export interface ResolvedOptions {
  readonly onLine: LineListener | undefined;
  readonly cwd: string | undefined;
  readonly env: NodeJS.ProcessEnv | undefined;
  /** `undefined` means no limit. */
  readonly timeoutMs: number | undefined;
  /** `undefined` means no limit. */
  readonly idleTimeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly killGraceMs: number;
  readonly maxLineLength: number;
  readonly carriageReturn: CarriageReturnPolicy;
  readonly stdin: StdinOption;
  readonly rejectOnNonZeroExit: boolean;
}

/** Applies defaults to `options`, throwing a TypeError or RangeError for an invalid value. */
export function resolveOptions(options: SpawnLinesOptions): ResolvedOptions {
  const carriageReturn = options.carriageReturn ?? 'keep';
  if (carriageReturn !== 'keep' && carriageReturn !== 'newline') {
    throw new TypeError(
      `Invalid carriageReturn: ${String(carriageReturn)}. Expected 'keep' or 'newline'.`,
    );
  }
  const stdin = options.stdin ?? 'ignore';
  if (typeof stdin !== 'string' && !(stdin instanceof Uint8Array)) {
    throw new TypeError(
      "Invalid stdin: expected 'ignore', 'inherit', a string, a Buffer or a Uint8Array.",
    );
  }
  if (options.onLine !== undefined && typeof options.onLine !== 'function') {
    throw new TypeError('Invalid onLine: expected a function.');
  }
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  if (
    maxLineLength !== Number.POSITIVE_INFINITY &&
    (!Number.isInteger(maxLineLength) || maxLineLength < 1)
  ) {
    throw new RangeError(
      `Invalid maxLineLength: ${maxLineLength}. Expected a positive integer or Infinity.`,
    );
  }
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  if (!Number.isFinite(killGraceMs) || killGraceMs < 0 || killGraceMs > MAX_TIMER_DELAY_MS) {
    throw new RangeError(
      `Invalid killGraceMs: ${killGraceMs}. Expected milliseconds from 0 to ${MAX_TIMER_DELAY_MS}.`,
    );
  }
  return {
    onLine: options.onLine,
    cwd: options.cwd,
    env: options.env === undefined ? undefined : { ...process.env, ...options.env },
    timeoutMs: resolveLimit('timeoutMs', options.timeoutMs),
    idleTimeoutMs: resolveLimit('idleTimeoutMs', options.idleTimeoutMs),
    signal: options.signal,
    killGraceMs,
    maxLineLength,
    carriageReturn,
    stdin,
    rejectOnNonZeroExit: options.rejectOnNonZeroExit ?? false,
  };
}

function resolveLimit(name: string, value: number | undefined): number | undefined {
  if (value === undefined || value === Number.POSITIVE_INFINITY) {
    return undefined;
  }
  if (Number.isNaN(value) || value <= 0 || value > MAX_TIMER_DELAY_MS) {
    throw new RangeError(
      `Invalid ${name}: ${value}. Expected milliseconds from 1 to ${MAX_TIMER_DELAY_MS}, or Infinity for no limit.`,
    );
  }
  return value;
}
