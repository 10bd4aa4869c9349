import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../http-error.js';
import { installDependencies } from './install.js';
import { checkComponentLoads } from './load-check.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'hello-app');
let directory: string;
let lines: string[];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'install-test-'));
  await cp(fixture, directory, { recursive: true });
  lines = [];
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function install(overrides: Partial<Parameters<typeof installDependencies>[0]> = {}) {
  return installDependencies({
    directory,
    installCommand: null,
    allowScripts: false,
    timeoutMs: 60_000,
    onLine: (manager, stream, line) => lines.push(`${manager}:${stream}:${line}`),
    ...overrides,
  });
}

describe('installDependencies', () => {
  it('falls back to npm and streams its output', async () => {
    const result = await install();
    expect(result.manager).toBe('npm');
    expect(lines.some((line) => line.startsWith('npm:stdout:'))).toBe(true);
  });

  it('runs the request install command', async () => {
    const result = await install({
      installCommand: `node -e "console.log('one'); console.error('two')"`,
    });
    expect(result.manager).toBe('custom');
    expect(lines).toEqual(['custom:stdout:one', 'custom:stderr:two']);
  });

  it('names a devEngines package manager that is not installed', async () => {
    await writeFile(
      join(directory, 'package.json'),
      JSON.stringify({ name: 'x', devEngines: { packageManager: { name: 'pnpm' } } }),
    );
    // A PATH with only node on it: no package manager can be found there.
    const binDir = join(directory, '.bin-node-only');
    await mkdir(binDir);
    await symlink(process.execPath, join(binDir, 'node'));
    const error = await install({ env: { PATH: binDir } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toMatch(/package manager pnpm is not installed/);
  });

  it('fails a failing install command with its exit code', async () => {
    await expect(install({ installCommand: 'exit 3' })).rejects.toThrow(/exited with code 3/);
  });

  it('skips a component without package.json', async () => {
    await rm(join(directory, 'package.json'));
    expect((await install()).skipped).toBe(true);
  });
});

describe('checkComponentLoads', () => {
  it('fails when a dependency is missing', async () => {
    await expect(checkComponentLoads(directory)).rejects.toThrow(/greeting/);
  });

  it('passes once the dependencies are installed', async () => {
    await install();
    expect((await checkComponentLoads(directory)).files).toEqual([join(directory, 'resources.js')]);
  });

  it('fails a resource that throws at load time', async () => {
    await writeFile(
      join(directory, 'resources.js'),
      "import { server } from 'harperdb';\nserver.http(() => 1);\nthrow new Error('boom at load');\n",
    );
    await expect(checkComponentLoads(directory)).rejects.toThrow(
      /component failed to load: Error: boom at load/,
    );
  });

  it('fails a resource with a syntax error', async () => {
    await writeFile(join(directory, 'resources.js'), 'export const = ;\n');
    await expect(checkComponentLoads(directory)).rejects.toThrow(/component failed to load/);
  });
});
