import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './cli-arguments.js';
import { UsageError } from './errors.js';

const TARGET = 'https://node-1:9926';

describe('parseCommandLine', () => {
  it('defaults the deploy folder to the current folder', () => {
    const parsed = parseCommandLine(['deploy', '--target', TARGET], {});
    expect(parsed).toMatchObject({ command: 'deploy', options: { directory: '.' } });
  });

  it('converts deploy flags to options', () => {
    const parsed = parseCommandLine(
      [
        'deploy',
        'app',
        '--target',
        TARGET,
        '--install-timeout',
        '1500',
        '--reconnect-timeout',
        '0',
        '--include-node-modules',
        '--json',
      ],
      {},
    );
    expect(parsed).toMatchObject({
      command: 'deploy',
      json: true,
      options: {
        directory: 'app',
        installTimeoutMs: 1500,
        reconnectTimeoutMs: 0,
        includeNodeModules: true,
      },
    });
  });

  it('leaves unset boolean flags undefined', () => {
    const parsed = parseCommandLine(['deploy', '--target', TARGET], {});
    expect(parsed).toMatchObject({
      options: { allowScripts: undefined, ignoreReplicationErrors: undefined },
    });
  });

  it('reads the target and credentials from the environment', () => {
    const parsed = parseCommandLine(['list'], {
      HARPER_TARGET: TARGET,
      HARPER_USERNAME: 'admin',
      HARPER_PASSWORD: 'pw',
    });
    expect(parsed).toMatchObject({
      options: { target: TARGET, username: 'admin', password: 'pw' },
    });
  });

  it('prefers flags over the environment', () => {
    const parsed = parseCommandLine(['list', '--target', TARGET, '--username', 'flag-user'], {
      HARPER_TARGET: 'https://other:9926',
      HARPER_USERNAME: 'env-user',
    });
    expect(parsed).toMatchObject({ options: { target: TARGET, username: 'flag-user' } });
  });

  it('returns command help without target', () => {
    expect(parseCommandLine(['watch', '--help'], {})).toMatchObject({ command: 'help' });
  });

  it.each([
    [['deploy', '--target', TARGET, '--install-timeout', '0']],
    [['deploy', '--target', TARGET, '--install-timeout', '1.5']],
    [['deploy', '--target', TARGET, '--install-timeout', '-1']],
    [['deploy', '--target', TARGET, '--restart', 'later']],
    [['deploy', 'a', 'b', '--target', TARGET]],
    [['deploy', 'a', '--tarball', 'b.tgz', '--target', TARGET]],
    [['watch', '--target', TARGET]],
    [['watch', 'a', 'b', '--target', TARGET]],
    [['list', 'extra', '--target', TARGET]],
    [['list', '--target', TARGET, '--limit', '0']],
    [['list', '--target']],
    [['list']],
    [['publish']],
    [[]],
  ])('rejects %j', (args) => {
    expect(() => parseCommandLine(args, {})).toThrow(UsageError);
  });

  it('keeps the password out of errors', () => {
    try {
      parseCommandLine(['deploy', '--password', 'hunter2-secret', '--frobnicate'], {});
      expect.unreachable('parseCommandLine accepted an unknown flag');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2-secret');
    }
  });
});
