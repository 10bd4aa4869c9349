import { describe, expect, it } from 'vitest';
import type { SpawnLinesResult } from '../spawn-lines-result.js';
import { AbortedError } from './aborted-error.js';
import { CommandNotFoundError } from './command-not-found-error.js';
import { IdleTimeoutError } from './idle-timeout-error.js';
import { LineSpawnError } from './line-spawn-error.js';
import { NonZeroExitError } from './non-zero-exit-error.js';
import { TimeoutError } from './timeout-error.js';

const RESULT: SpawnLinesResult = {
  command: 'build',
  args: ['--all'],
  pid: 100,
  code: 2,
  signal: null,
  timedOut: false,
  idleTimedOut: false,
  aborted: false,
  durationMs: 12,
  lineCount: { stdout: 0, stderr: 0 },
  truncatedLines: 0,
};

describe('LineSpawnError subclasses', () => {
  it.each([
    [new CommandNotFoundError('build'), 'CommandNotFoundError', 'ENOENT'],
    [new TimeoutError(RESULT, 500), 'TimeoutError', 'ETIMEDOUT'],
    [new IdleTimeoutError(RESULT, 300), 'IdleTimeoutError', 'EIDLETIMEOUT'],
    [new AbortedError(RESULT, 'reason'), 'AbortedError', 'ABORT_ERR'],
    [new NonZeroExitError(RESULT), 'NonZeroExitError', 'ENONZERO'],
  ])('sets name and code of %s', (error, name, code) => {
    expect(error).toBeInstanceOf(LineSpawnError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.command).toBe('build');
  });

  it('formats the messages', () => {
    expect(new TimeoutError(RESULT, 500).message).toBe('`build` timed out after 500 ms');
    expect(new IdleTimeoutError(RESULT, 300).message).toBe(
      '`build` timed out after 300 ms without output',
    );
    expect(new AbortedError(RESULT, undefined).message).toBe('`build` was aborted');
    expect(new NonZeroExitError(RESULT).message).toBe('`build` failed with exit code 2');
    expect(new NonZeroExitError({ ...RESULT, code: null, signal: 'SIGKILL' }).message).toBe(
      '`build` was killed by signal SIGKILL',
    );
  });

  it('keeps the cause', () => {
    const cause = new Error('spawn build ENOENT');
    expect(new CommandNotFoundError('build', cause).cause).toBe(cause);
    expect(new AbortedError(RESULT, 'stop').cause).toBe('stop');
    expect(new LineSpawnError('failed', { code: 'EACCES', command: 'build' }).cause).toBe(
      undefined,
    );
  });

  it('carries the result', () => {
    expect(new TimeoutError(RESULT, 1).result).toBe(RESULT);
    expect(new IdleTimeoutError(RESULT, 1).result).toBe(RESULT);
    expect(new AbortedError(RESULT, 1).result).toBe(RESULT);
    expect(new NonZeroExitError(RESULT).result).toBe(RESULT);
  });
});
