import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { Readable } from 'node:stream';
import crossSpawn from 'cross-spawn';
import { EXIT_DRAIN_MS } from './defaults.js';
import { AbortedError } from './errors/aborted-error.js';
import { IdleTimeoutError } from './errors/idle-timeout-error.js';
import { NonZeroExitError } from './errors/non-zero-exit-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { LineSplitter } from './line-splitter.js';
import { signalProcessTree, waitForProcessGroupExit } from './process-tree.js';
import { type ResolvedOptions, resolveOptions } from './resolve-options.js';
import type { SpawnLinesOptions } from './spawn-lines-options.js';
import type { SpawnLinesResult } from './spawn-lines-result.js';
import { toStartError } from './start-error.js';

/**
 * Spawns `command` with `args` and calls `options.onLine` for each complete line that the child
 * writes to stdout or stderr, while it runs.
 *
 * Resolves with the result when the child exits, whatever its exit code, unless
 * `rejectOnNonZeroExit` is set. Rejects with a `TimeoutError`, `IdleTimeoutError` or
 * `AbortedError` after stopping the process tree, with `CommandNotFoundError` or another
 * `LineSpawnError` when the command cannot start, and with the error itself when `onLine` throws.
 */
export function spawnLines(
  command: string,
  args: readonly string[] = [],
  options: SpawnLinesOptions = {},
): Promise<SpawnLinesResult> {
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    new LineSpawnRun(command, [...args], resolved, resolve, reject).start();
  });
}

type StopReason = 'timeout' | 'idle' | 'abort' | 'listener';

const IS_WINDOWS = process.platform === 'win32';

/** State of one `spawnLines` call from the spawn until the promise settles. */
class LineSpawnRun {
  readonly #command: string;
  readonly #args: readonly string[];
  readonly #options: ResolvedOptions;
  readonly #resolve: (result: SpawnLinesResult) => void;
  readonly #reject: (error: unknown) => void;
  readonly #stdoutSplitter: LineSplitter;
  readonly #stderrSplitter: LineSplitter;
  readonly #startedAt = performance.now();

  #child: ChildProcess | undefined;
  #pid: number | undefined;
  #exitCode: number | null = null;
  #exitSignal: NodeJS.Signals | null = null;
  #exited = false;
  #stdoutClosed = false;
  #stderrClosed = false;
  #waitingForTree = false;
  #settled = false;
  #stopReason: StopReason | undefined;
  #killAt = 0;
  #listenerFailed = false;
  #listenerError: unknown;

  #timeoutTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #drainTimer: NodeJS.Timeout | undefined;

  constructor(
    command: string,
    args: readonly string[],
    options: ResolvedOptions,
    resolve: (result: SpawnLinesResult) => void,
    reject: (error: unknown) => void,
  ) {
    this.#command = command;
    this.#args = args;
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    const splitterOptions = {
      onLine: options.onLine,
      maxLineLength: options.maxLineLength,
      carriageReturn: options.carriageReturn,
    };
    this.#stdoutSplitter = new LineSplitter({ ...splitterOptions, stream: 'stdout' });
    this.#stderrSplitter = new LineSplitter({ ...splitterOptions, stream: 'stderr' });
  }

  start(): void {
    const { signal, stdin } = this.#options;
    if (signal?.aborted) {
      this.#settled = true;
      this.#stopReason = 'abort';
      this.#reject(new AbortedError(this.#buildResult(), signal.reason));
      return;
    }

    let child: ChildProcess;
    try {
      child = crossSpawn(this.#command, this.#args, {
        cwd: this.#options.cwd,
        env: this.#options.env,
        stdio: toStdio(stdin),
        // A detached child leads a new process group, so one signal reaches every descendant
        // that stays in it. On Windows, detached would give the child its own console window.
        detached: !IS_WINDOWS,
        windowsHide: true,
      });
    } catch (error) {
      this.#settled = true;
      this.#reject(toStartError(error, this.#command, this.#options.cwd));
      return;
    }

    this.#child = child;
    this.#pid = child.pid;
    child.once('error', (error) => this.#onError(error));
    if (child.pid === undefined) {
      // The spawn failed, and Node.js emits 'error' on the next tick.
      return;
    }

    child.once('exit', (code, exitSignal) => this.#onExit(code, exitSignal));
    this.#watchStream(child.stdout as Readable, this.#stdoutSplitter, () => {
      this.#stdoutClosed = true;
    });
    this.#watchStream(child.stderr as Readable, this.#stderrSplitter, () => {
      this.#stderrClosed = true;
    });
    if (stdin !== 'ignore' && stdin !== 'inherit') {
      writeStdin(child, stdin);
    }

    this.#startTimers();
  }

  #startTimers(): void {
    const { timeoutMs, idleTimeoutMs, signal } = this.#options;
    if (timeoutMs !== undefined) {
      this.#timeoutTimer = setTimeout(() => this.#stop('timeout'), timeoutMs);
    }
    if (idleTimeoutMs !== undefined) {
      this.#idleTimer = setTimeout(() => this.#stop('idle'), idleTimeoutMs);
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  #onAbort = (): void => {
    this.#stop('abort');
  };

  #watchStream(stream: Readable, splitter: LineSplitter, markClosed: () => void): void {
    stream.on('data', (chunk: Buffer) => {
      this.#idleTimer?.refresh();
      if (this.#listenerFailed) {
        return;
      }
      try {
        splitter.push(chunk);
      } catch (error) {
        this.#failListener(error);
      }
    });
    // The pipe can report an error when it is destroyed after the exit drain. The data read
    // before that point has been delivered, and 'close' follows.
    stream.on('error', () => {});
    stream.once('close', () => {
      markClosed();
      if (!this.#listenerFailed) {
        try {
          splitter.end();
        } catch (error) {
          this.#failListener(error);
        }
      }
      this.#maybeSettle();
    });
  }

  #onError(error: Error): void {
    // On Windows, cross-spawn 7 reports a missing command as an 'error' from the spawn syscall
    // in place of 'exit', after the shell started. Any other 'error' after a successful spawn
    // reports a failed kill or IPC message, and the run still ends through 'exit'.
    const failedToStart = this.#pid === undefined || (!this.#exited && isSpawnError(error));
    if (this.#settled || !failedToStart) {
      return;
    }
    this.#settled = true;
    this.#clearTimers();
    this.#child?.stdout?.destroy();
    this.#child?.stderr?.destroy();
    this.#child?.stdin?.destroy();
    this.#reject(toStartError(error, this.#command, this.#options.cwd));
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.#exited = true;
    this.#exitCode = code;
    this.#exitSignal = signal;
    this.#clearLimitTimers();
    if (this.#stopReason !== undefined && !IS_WINDOWS && this.#pid !== undefined) {
      // Descendants got the same SIGTERM, and they keep their grace period after the child exits.
      clearTimeout(this.#killTimer);
      this.#waitingForTree = true;
      void waitForProcessGroupExit(this.#pid, this.#killAt).then(() => {
        this.#waitingForTree = false;
        this.#maybeSettle();
      });
    }
    if (!this.#stdoutClosed || !this.#stderrClosed) {
      this.#drainTimer = setTimeout(() => {
        this.#child?.stdout?.destroy();
        this.#child?.stderr?.destroy();
      }, EXIT_DRAIN_MS);
    }
    this.#maybeSettle();
  }

  #stop(reason: StopReason): void {
    if (this.#stopReason !== undefined || this.#exited || this.#pid === undefined) {
      return;
    }
    this.#stopReason = reason;
    this.#clearLimitTimers();
    const pid = this.#pid;
    const { killGraceMs } = this.#options;
    this.#killAt = performance.now() + killGraceMs;
    signalProcessTree(pid, 'SIGTERM');
    this.#killTimer = setTimeout(() => signalProcessTree(pid, 'SIGKILL'), killGraceMs);
  }

  #clearLimitTimers(): void {
    clearTimeout(this.#timeoutTimer);
    clearTimeout(this.#idleTimer);
    this.#timeoutTimer = undefined;
    this.#idleTimer = undefined;
  }

  #clearTimers(): void {
    this.#clearLimitTimers();
    clearTimeout(this.#killTimer);
    clearTimeout(this.#drainTimer);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
  }

  #failListener(error: unknown): void {
    if (this.#listenerFailed) {
      return;
    }
    this.#listenerFailed = true;
    this.#listenerError = error;
    this.#stop('listener');
  }

  #maybeSettle(): void {
    if (
      this.#settled ||
      !this.#exited ||
      !this.#stdoutClosed ||
      !this.#stderrClosed ||
      this.#waitingForTree
    ) {
      return;
    }
    this.#settled = true;
    this.#clearTimers();
    const result = this.#buildResult();
    const error = this.#errorFor(result);
    if (error === undefined) {
      this.#resolve(result);
    } else {
      this.#reject(error);
    }
  }

  #errorFor(result: SpawnLinesResult): unknown {
    if (this.#listenerFailed) {
      return this.#listenerError;
    }
    const { timeoutMs, idleTimeoutMs, signal, rejectOnNonZeroExit } = this.#options;
    switch (this.#stopReason) {
      case 'timeout':
        return new TimeoutError(result, timeoutMs as number);
      case 'idle':
        return new IdleTimeoutError(result, idleTimeoutMs as number);
      case 'abort':
        return new AbortedError(result, signal?.reason);
      default:
        break;
    }
    if (rejectOnNonZeroExit && (result.code !== 0 || result.signal !== null)) {
      return new NonZeroExitError(result);
    }
    return undefined;
  }

  #buildResult(): SpawnLinesResult {
    return {
      command: this.#command,
      args: this.#args,
      pid: this.#pid,
      code: this.#exitCode,
      signal: this.#exitSignal,
      timedOut: this.#stopReason === 'timeout',
      idleTimedOut: this.#stopReason === 'idle',
      aborted: this.#stopReason === 'abort',
      durationMs: performance.now() - this.#startedAt,
      lineCount: {
        stdout: this.#stdoutSplitter.lineCount,
        stderr: this.#stderrSplitter.lineCount,
      },
      truncatedLines: this.#stdoutSplitter.truncatedLines + this.#stderrSplitter.truncatedLines,
    };
  }
}

function toStdio(stdin: ResolvedOptions['stdin']): StdioOptions {
  if (stdin === 'ignore' || stdin === 'inherit') {
    return [stdin, 'pipe', 'pipe'];
  }
  return ['pipe', 'pipe', 'pipe'];
}

function writeStdin(child: ChildProcess, input: string | Uint8Array): void {
  const stdin = child.stdin;
  if (stdin === null) {
    return;
  }
  // A child that exits without reading its input closes the pipe, and the write then fails with
  // EPIPE. The child's exit is the outcome that matters.
  stdin.on('error', () => {});
  stdin.end(input);
}

function isSpawnError(error: Error): boolean {
  const syscall = (error as NodeJS.ErrnoException).syscall;
  return syscall?.startsWith('spawn') === true;
}
