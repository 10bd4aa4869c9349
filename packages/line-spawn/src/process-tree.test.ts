import { afterEach, describe, expect, it } from 'vitest';
import { AbortedError } from './errors/aborted-error.js';
import { IdleTimeoutError } from './errors/idle-timeout-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { spawnLines } from './spawn-lines.js';
import type { SpawnLinesOptions } from './spawn-lines-options.js';
import { isProcessRunning, killLeftovers, NO_HANG_MS, NODE, nodeScript } from './test-child.js';

// Generous bound for "the tree is stopped soon after the limit", far above the expected few
// hundred milliseconds so that a loaded machine does not fail the test.
const STOP_BOUND_MS = 5000;

const startedPids: number[] = [];

afterEach(() => {
  killLeftovers(startedPids);
  startedPids.length = 0;
});

// Child that starts a grandchild sleeping for a minute, prints `pid <child> <grandchild>` at once,
// then sleeps. `grandchildPrelude` runs in the grandchild before it sleeps.
function treeScript(grandchildStdio: 'inherit' | 'ignore', grandchildPrelude = ''): string[] {
  const grandchild = `${grandchildPrelude} setTimeout(() => {}, 60000);`;
  return nodeScript(
    `const grandchild = child_process.spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: '${grandchildStdio}' });
    console.log('pid ' + process.pid + ' ' + grandchild.pid);
    await sleep(60000);`,
  );
}

// Options that abort the run once stdout has a line equal to `line`. The stop then never races
// with the child's start-up, as a short timeout would on a loaded machine.
function abortOnLine(line: string): SpawnLinesOptions {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    timeoutMs: NO_HANG_MS,
    onLine: (_stream, text) => {
      if (text === line) {
        controller.abort();
      }
    },
  };
}

interface TreeRun {
  readonly error: unknown;
  readonly elapsedMs: number;
  readonly pids: number[];
}

// Runs `args` and records the pids that the child prints as `pid <a> <b>`.
async function runTree(args: string[], options: SpawnLinesOptions): Promise<TreeRun> {
  const pids: number[] = [];
  const started = performance.now();
  const error = await spawnLines(NODE, args, {
    ...options,
    onLine: (stream, line) => {
      if (stream === 'stdout' && line.startsWith('pid ')) {
        const parsed = line.slice(4).split(' ').map(Number);
        pids.push(...parsed);
        startedPids.push(...parsed);
      }
      options.onLine?.(stream, line);
    },
  }).catch((caught: unknown) => caught);
  return { error, elapsedMs: performance.now() - started, pids };
}

describe('spawnLines timeout', () => {
  it('kills the child and grandchild', async () => {
    const run = await runTree(treeScript('ignore'), { timeoutMs: 500 });
    expect(run.error).toBeInstanceOf(TimeoutError);
    const error = run.error as TimeoutError;
    expect(error.code).toBe('ETIMEDOUT');
    expect(error.message).toContain('timed out after 500 ms');
    expect(error.result.timedOut).toBe(true);
    expect(error.result.signal).toBe('SIGTERM');
    expect(error.result.lineCount.stdout).toBe(1);
    expect(run.pids).toHaveLength(2);
    for (const pid of run.pids) {
      expect(isProcessRunning(pid)).toBe(false);
    }
    expect(run.elapsedMs).toBeLessThan(STOP_BOUND_MS);
  });
});

describe('spawnLines process tree stop', () => {
  it('kills a grandchild that holds the pipes', async () => {
    const run = await runTree(
      treeScript('inherit', "console.log('grandchild ready');"),
      abortOnLine('grandchild ready'),
    );
    expect(run.error).toBeInstanceOf(AbortedError);
    expect(run.pids).toHaveLength(2);
    for (const pid of run.pids) {
      expect(isProcessRunning(pid)).toBe(false);
    }
    expect(run.elapsedMs).toBeLessThan(STOP_BOUND_MS);
  });

  it('sends SIGKILL to a child that ignores SIGTERM', async () => {
    const run = await runTree(
      nodeScript(
        `process.on('SIGTERM', () => {});
        console.log('pid ' + process.pid);
        console.log('ready');
        await sleep(60000);`,
      ),
      { ...abortOnLine('ready'), killGraceMs: 300 },
    );
    expect(run.error).toBeInstanceOf(AbortedError);
    expect((run.error as AbortedError).result.signal).toBe('SIGKILL');
    expect(run.elapsedMs).toBeLessThan(STOP_BOUND_MS);
  });

  it('sends SIGKILL to a grandchild that ignores SIGTERM', async () => {
    const run = await runTree(
      treeScript('inherit', "process.on('SIGTERM', () => {}); console.log('grandchild ready');"),
      { ...abortOnLine('grandchild ready'), killGraceMs: 300 },
    );
    expect(run.error).toBeInstanceOf(AbortedError);
    // The child itself exits on SIGTERM, so only the grandchild needs SIGKILL.
    expect((run.error as AbortedError).result.signal).toBe('SIGTERM');
    expect(run.pids).toHaveLength(2);
    for (const pid of run.pids) {
      expect(isProcessRunning(pid)).toBe(false);
    }
    expect(run.elapsedMs).toBeLessThan(STOP_BOUND_MS);
  });
});

describe('spawnLines idle timeout', () => {
  it('kills a child that stops writing', async () => {
    const lines: string[] = [];
    const run = await runTree(
      nodeScript(
        `console.log('pid ' + process.pid);
        for (let tick = 0; tick < 3; tick += 1) {
          await sleep(100);
          console.log('tick');
        }
        await sleep(60000);`,
      ),
      { idleTimeoutMs: 600, timeoutMs: NO_HANG_MS, onLine: (_stream, line) => lines.push(line) },
    );
    expect(run.error).toBeInstanceOf(IdleTimeoutError);
    const error = run.error as IdleTimeoutError;
    expect(error.code).toBe('EIDLETIMEOUT');
    expect(error.message).toContain('timed out after 600 ms without output');
    expect(error.result.idleTimedOut).toBe(true);
    expect(error.result.timedOut).toBe(false);
    expect(lines.filter((line) => line === 'tick')).toHaveLength(3);
    expect(isProcessRunning(run.pids[0] as number)).toBe(false);
  });

  it('lets a child that keeps writing finish', async () => {
    const result = await spawnLines(
      NODE,
      nodeScript(
        `for (let tick = 0; tick < 10; tick += 1) {
          await sleep(100);
          process.stderr.write('tick\\n');
        }`,
      ),
      { idleTimeoutMs: 800, timeoutMs: NO_HANG_MS },
    );
    expect(result.code).toBe(0);
    expect(result.lineCount.stderr).toBe(10);
    expect(result.idleTimedOut).toBe(false);
  });
});

describe('spawnLines abort', () => {
  it('kills the tree when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by caller');
    const run = await runTree(treeScript('ignore'), {
      signal: controller.signal,
      timeoutMs: NO_HANG_MS,
      onLine: () => controller.abort(reason),
    });
    expect(run.error).toBeInstanceOf(AbortedError);
    const error = run.error as AbortedError;
    expect(error.code).toBe('ABORT_ERR');
    expect(error.cause).toBe(reason);
    expect(error.result.aborted).toBe(true);
    expect(run.pids).toHaveLength(2);
    for (const pid of run.pids) {
      expect(isProcessRunning(pid)).toBe(false);
    }
  });

  it('rejects an aborted signal without spawning', async () => {
    const reason = new Error('already stopped');
    const error = await spawnLines(NODE, ['-e', ''], {
      signal: AbortSignal.abort(reason),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBe(reason);
    expect((error as AbortedError).result.pid).toBeUndefined();
    expect((error as AbortedError).result.aborted).toBe(true);
  });

  it('ignores an abort after the run ends', async () => {
    const controller = new AbortController();
    const result = await spawnLines(NODE, ['-e', ''], { signal: controller.signal });
    controller.abort();
    expect(result.aborted).toBe(false);
    expect(result.code).toBe(0);
  });
});

describe('spawnLines exit drain', () => {
  it('resolves while a grandchild holds the pipes', async () => {
    const lines: string[] = [];
    const started = performance.now();
    const result = await spawnLines(
      NODE,
      nodeScript(
        `const grandchild = child_process.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'inherit' });
        console.log('pid ' + grandchild.pid);
        process.stdout.write('partial');
        process.exit(0);`,
      ),
      {
        timeoutMs: NO_HANG_MS,
        onLine: (_stream, line) => {
          lines.push(line);
          if (line.startsWith('pid ')) {
            startedPids.push(Number(line.slice(4)));
          }
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.timedOut).toBe(false);
    expect(lines[1]).toBe('partial');
    expect(performance.now() - started).toBeLessThan(STOP_BOUND_MS);
    // The grandchild was not stopped, because the run ended normally.
    expect(isProcessRunning(startedPids[0] as number)).toBe(true);
  });
});
