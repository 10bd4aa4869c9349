import { describe, expect, it } from 'vitest';
import { parseDeployOptions, validateProject } from './deploy-options.js';
import { HttpError } from './http-error.js';

const POLICY = { allowInstallCommand: true };

function statusOf(work: () => unknown): number | null {
  try {
    work();
    return null;
  } catch (error) {
    return error instanceof HttpError ? error.status : -1;
  }
}

describe('validateProject', () => {
  for (const name of ['', '..', '../etc', 'a/b', '.hidden', 'a\\b', ' spaced', 'x'.repeat(101)]) {
    it(`rejects ${JSON.stringify(name)}`, () => {
      expect(statusOf(() => validateProject(name))).toBe(400);
    });
  }

  for (const name of ['app', 'my-app_2', 'app.v2']) {
    it(`accepts ${name}`, () => {
      expect(validateProject(name)).toBe(name);
    });
  }
});

describe('parseDeployOptions', () => {
  it('applies the defaults', () => {
    expect(parseDeployOptions({ project: 'app' }, POLICY)).toEqual({
      project: 'app',
      restart: 'rolling',
      installCommand: null,
      installTimeoutMs: null,
      installAllowScripts: false,
      ignoreReplicationErrors: false,
    });
  });

  it('rejects an unknown option by name', () => {
    expect(() => parseDeployOptions({ project: 'app', colour: 'red' }, POLICY)).toThrow(
      /unknown option "colour"/,
    );
  });

  for (const timeout of ['abc', '-5', '0', '1.5']) {
    it(`rejects install_timeout ${timeout}`, () => {
      expect(() =>
        parseDeployOptions({ project: 'app', install_timeout: timeout }, POLICY),
      ).toThrow(/invalid install_timeout/);
    });
  }

  it('rejects an install command when the node forbids it', () => {
    expect(
      statusOf(() =>
        parseDeployOptions(
          { project: 'app', install_command: 'make' },
          { allowInstallCommand: false },
        ),
      ),
    ).toBe(403);
  });

  it('rejects an unknown restart mode', () => {
    expect(() => parseDeployOptions({ project: 'app', restart: 'sometimes' }, POLICY)).toThrow(
      /invalid restart "sometimes"/,
    );
  });

  it('maps restart true and false', () => {
    expect(parseDeployOptions({ project: 'app', restart: 'false' }, POLICY).restart).toBe('none');
    expect(parseDeployOptions({ project: 'app', restart: true }, POLICY).restart).toBe('rolling');
  });
});
