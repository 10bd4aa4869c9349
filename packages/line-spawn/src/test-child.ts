// Helpers for tests that run real child processes. The build bundles only what index.ts
// exports, so this file is not part of the package.
import { readFileSync } from 'node:fs';
import { spawnLines } from './spawn-lines.js';
import type { LineStream, SpawnLinesOptions } from './spawn-lines-options.js';
import type { SpawnLinesResult } from './spawn-lines-result.js';

/** Path of the Node.js binary that runs the tests, so the children need no PATH lookup. */
export const NODE = process.execPath;

/**
 * Pause between two writes of a child, long enough that the parent reads the first write as a
 * chunk of its own before the second arrives.
 */
export const PAUSE_MS = 100;

/** Upper bound for runs that should end at once. It turns a hang into a TimeoutError. */
export const NO_HANG_MS = 10_000;

/**
 * Returns `node -e` arguments that run `body` inside an async function, where `sleep(ms)` and
 * `child_process` are in scope.
 */
export function nodeScript(body: string): string[] {
  const prelude = [
    "const child_process = require('node:child_process');",
    'const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));',
  ].join('\n');
  return ['-e', `${prelude}\n(async () => {\n${body}\n})();`];
}

/**
 * Returns whether `pid` is a running process. A zombie counts as gone, because an orphan stays a
 * zombie until init reaps it, and the init of some containers never does.
 */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') {
    return true;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Sends SIGKILL to each process in `pids` that still runs, for cleanup after a failed test. */
export function killLeftovers(pids: readonly number[]): void {
  for (const pid of pids) {
    if (isProcessRunning(pid)) {
      process.kill(pid, 'SIGKILL');
    }
  }
}

/** Lines of a run in delivery order, and the result. */
export interface CollectedRun {
  readonly lines: Array<[LineStream, string]>;
  readonly stdout: string[];
  readonly stderr: string[];
  result: SpawnLinesResult | undefined;
}

/**
 * Runs `body` with {@link nodeScript} and collects its lines. The run times out after
 * `NO_HANG_MS` unless `options` sets another limit.
 */
export async function runScript(
  body: string,
  options: SpawnLinesOptions = {},
): Promise<CollectedRun> {
  const run: CollectedRun = { lines: [], stdout: [], stderr: [], result: undefined };
  run.result = await spawnLines(NODE, nodeScript(body), {
    timeoutMs: NO_HANG_MS,
    ...options,
    onLine: (stream, line) => {
      run.lines.push([stream, line]);
      run[stream].push(line);
    },
  });
  return run;
}
