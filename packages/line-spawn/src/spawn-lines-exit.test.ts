import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandNotFoundError } from './errors/command-not-found-error.js';
import { LineSpawnError } from './errors/line-spawn-error.js';
import { NonZeroExitError } from './errors/non-zero-exit-error.js';
import { spawnLines } from './spawn-lines.js';
import { NO_HANG_MS, NODE, nodeScript, runScript } from './test-child.js';

// A child that reads its standard input to the end, then reports what it read.
const ECHO_STDIN = `let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => { input += text; });
await new Promise((resolve) => process.stdin.on('end', resolve));
process.stdout.write('read ' + JSON.stringify(input) + '\\n');`;

describe('spawnLines stdin', () => {
  it('ignores stdin by default', async () => {
    const run = await runScript(ECHO_STDIN);
    expect(run.stdout).toEqual(['read ""']);
    expect(run.result?.code).toBe(0);
  });

  it('writes a string to stdin', async () => {
    const run = await runScript(ECHO_STDIN, { stdin: 'one\ntwo' });
    expect(run.stdout).toEqual(['read "one\\ntwo"']);
  });

  it('writes bytes to stdin', async () => {
    const run = await runScript(ECHO_STDIN, { stdin: new TextEncoder().encode('\u00e9') });
    expect(run.stdout).toEqual(['read "\u00e9"']);
  });

  it('survives a child that never reads stdin', async () => {
    const run = await runScript(`process.stdout.write('done\\n');`, {
      stdin: 'x'.repeat(4 * 1024 * 1024),
    });
    expect(run.stdout).toEqual(['done']);
    expect(run.result?.code).toBe(0);
  });
});

describe('spawnLines exit', () => {
  it('resolves a non-zero exit by default', async () => {
    const run = await runScript('process.exit(3);');
    expect(run.result?.code).toBe(3);
    expect(run.result?.signal).toBeNull();
  });

  it('rejects a non-zero exit on request', async () => {
    const error = await spawnLines(NODE, nodeScript('process.exit(3);'), {
      rejectOnNonZeroExit: true,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NonZeroExitError);
    const exitError = error as NonZeroExitError;
    expect(exitError.code).toBe('ENONZERO');
    expect(exitError.message).toContain('exit code 3');
    expect(exitError.result.code).toBe(3);
  });

  it('resolves a zero exit when rejecting non-zero', async () => {
    const result = await spawnLines(NODE, nodeScript('process.exit(0);'), {
      rejectOnNonZeroExit: true,
    });
    expect(result.code).toBe(0);
  });

  it('reports an outside signal in the result', async () => {
    const run = await runScript(`process.kill(process.pid, 'SIGTERM'); await sleep(60000);`);
    expect(run.result?.signal).toBe('SIGTERM');
    expect(run.result?.code).toBeNull();
    expect(run.result?.timedOut).toBe(false);
    expect(run.result?.aborted).toBe(false);
  });

  it('rejects an outside signal on request', async () => {
    const error = await spawnLines(
      NODE,
      nodeScript(`process.kill(process.pid, 'SIGTERM'); await sleep(60000);`),
      { rejectOnNonZeroExit: true, timeoutMs: NO_HANG_MS },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NonZeroExitError);
    expect((error as NonZeroExitError).message).toContain('killed by signal SIGTERM');
    expect((error as NonZeroExitError).result.signal).toBe('SIGTERM');
  });

  it('fills the result fields', async () => {
    const args = nodeScript(`process.stdout.write('a\\nb\\n'); process.stderr.write('c\\n');`);
    const result = await spawnLines(NODE, args);
    expect(result.command).toBe(NODE);
    expect(result.args).toEqual(args);
    expect(result.pid).toBeGreaterThan(0);
    expect(result.code).toBe(0);
    expect(result.lineCount).toEqual({ stdout: 2, stderr: 1 });
    expect(result.timedOut).toBe(false);
    expect(result.idleTimedOut).toBe(false);
    expect(result.aborted).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
  });
});

describe('spawnLines start', () => {
  it('rejects a missing command', async () => {
    const command = 'line-spawn-no-such-command';
    const error = await spawnLines(command, ['--version']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandNotFoundError);
    expect(error).toBeInstanceOf(LineSpawnError);
    const notFound = error as CommandNotFoundError;
    expect(notFound.name).toBe('CommandNotFoundError');
    expect(notFound.code).toBe('ENOENT');
    expect(notFound.command).toBe(command);
    expect(notFound.message).toContain(`\`${command}\``);
    expect(notFound.message).toContain('PATH');
    expect(notFound.cause).toBeInstanceOf(Error);
  });

  it('rejects a missing working directory', async () => {
    const cwd = join(tmpdir(), 'line-spawn-no-such-directory');
    const error = await spawnLines(NODE, ['-e', ''], { cwd }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LineSpawnError);
    expect(error).not.toBeInstanceOf(CommandNotFoundError);
    expect((error as LineSpawnError).message).toContain(cwd);
  });

  it('passes cwd and merged env', async () => {
    const cwd = tmpdir();
    const run = await runScript(
      `console.log(process.cwd());
      console.log(process.env.LINE_SPAWN_TEST_VALUE);
      console.log(String(process.env.PATH));`,
      { cwd, env: { LINE_SPAWN_TEST_VALUE: 'set', PATH: undefined } },
    );
    expect(run.stdout).toEqual([cwd, 'set', 'undefined']);
  });

  it('inherits the environment by default', async () => {
    const run = await runScript('console.log(process.env.PATH);');
    expect(run.stdout).toEqual([process.env.PATH]);
  });

  it.each([
    ['timeoutMs', { timeoutMs: 0 }, RangeError],
    ['idleTimeoutMs', { idleTimeoutMs: -1 }, RangeError],
    ['killGraceMs', { killGraceMs: Number.NaN }, RangeError],
    ['maxLineLength', { maxLineLength: 1.5 }, RangeError],
    ['carriageReturn', { carriageReturn: 'strip' }, TypeError],
    ['stdin', { stdin: 42 }, TypeError],
  ])('rejects an invalid %s', async (name, options, errorClass) => {
    const error = await spawnLines(NODE, ['-e', ''], options as never).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toContain(name);
  });

  it('accepts Infinity as no limit', async () => {
    const result = await spawnLines(NODE, ['-e', ''], {
      timeoutMs: Number.POSITIVE_INFINITY,
      idleTimeoutMs: Number.POSITIVE_INFINITY,
      maxLineLength: Number.POSITIVE_INFINITY,
    });
    expect(result.code).toBe(0);
    expect(result.timedOut).toBe(false);
  });
});

describe('spawnLines onLine errors', () => {
  it('rejects with the listener error and stops the child', async () => {
    const failure = new Error('listener failed');
    const started = performance.now();
    const error = await spawnLines(
      NODE,
      nodeScript(`process.stdout.write('first\\n'); await sleep(60000);`),
      {
        timeoutMs: NO_HANG_MS,
        onLine: () => {
          throw failure;
        },
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBe(failure);
    expect(performance.now() - started).toBeLessThan(NO_HANG_MS / 2);
  });
});
