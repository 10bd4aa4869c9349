/** Output stream that a line was read from. */
export type LineStream = 'stdout' | 'stderr';

/** Callback that receives each complete line, without its line terminator. */
export type LineListener = (stream: LineStream, line: string) => void;

/**
 * Policy for a carriage return that is not followed by a line feed.
 *
 * - `'keep'`: the `\r` stays in the line, and only `\n` ends a line.
 * - `'newline'`: the `\r` ends a line, which suits progress output that redraws one line.
 *
 * A `\r\n` pair is one line break under both policies, and its `\r` is never part of a line.
 */
export type CarriageReturnPolicy = 'keep' | 'newline';

/**
 * Source of the child's standard input: `'ignore'` connects it to the null device, `'inherit'`
 * shares the caller's, and a string or bytes are written to a pipe that is then closed.
 */
export type StdinOption = 'ignore' | 'inherit' | string | Uint8Array;

/** Options for {@link spawnLines}. Every field is optional. */
export interface SpawnLinesOptions {
  /** Callback for each complete line. Lines are still counted when it is omitted. */
  readonly onLine?: LineListener;
  /** Working directory of the child. Defaults to the caller's. */
  readonly cwd?: string;
  /**
   * Environment variables merged over `process.env`. A variable set to `undefined` is removed
   * from the child's environment.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Maximum run time in milliseconds, after which the process tree is stopped. */
  readonly timeoutMs?: number;
  /**
   * Maximum time in milliseconds without output on either stream, after which the process tree
   * is stopped.
   */
  readonly idleTimeoutMs?: number;
  /** Signal that stops the process tree when it is aborted. */
  readonly signal?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL when the process tree is stopped. */
  readonly killGraceMs?: number;
  /**
   * Maximum line length in UTF-16 code units. A longer line is cut to this length and gets the
   * suffix `… [truncated N chars]`, where N counts the code units left out. `Infinity` disables
   * the limit.
   */
  readonly maxLineLength?: number;
  /** Policy for a lone `\r`. Defaults to `'keep'`. */
  readonly carriageReturn?: CarriageReturnPolicy;
  /** Standard input of the child. Defaults to `'ignore'`. */
  readonly stdin?: StdinOption;
  /**
   * Whether an exit code other than 0, or an exit by a signal, rejects with a
   * `NonZeroExitError`. Defaults to `false`, which resolves with the result.
   */
  readonly rejectOnNonZeroExit?: boolean;
}
