/** Outcome of a run, returned on success and carried by the errors of a run that started. */
export interface SpawnLinesResult {
  /** Command as passed to `spawnLines`. */
  readonly command: string;
  /** Arguments as passed to `spawnLines`. */
  readonly args: readonly string[];
  /** Process id of the child, or `undefined` when it never started. */
  readonly pid: number | undefined;
  /** Exit code, or `null` when the child was ended by a signal. */
  readonly code: number | null;
  /** Signal that ended the child, or `null` when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
  /** Whether `timeoutMs` elapsed and the process tree was stopped. */
  readonly timedOut: boolean;
  /** Whether `idleTimeoutMs` elapsed without output and the process tree was stopped. */
  readonly idleTimedOut: boolean;
  /** Whether the `signal` option was aborted and the process tree was stopped. */
  readonly aborted: boolean;
  /** Milliseconds from the spawn to the end of the run. */
  readonly durationMs: number;
  /** Number of lines read from each stream, including truncated ones. */
  readonly lineCount: { readonly stdout: number; readonly stderr: number };
  /** Number of lines on both streams that exceeded `maxLineLength`. */
  readonly truncatedLines: number;
}
