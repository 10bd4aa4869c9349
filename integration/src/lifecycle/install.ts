// Installs a component's dependencies in its staging folder through one of three paths: the
// request's install command, the package manager named in package.json devEngines, or npm.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandNotFoundError, spawnLines } from 'line-spawn';
import { HttpError } from '../http-error.js';

export type InstallStream = 'stdout' | 'stderr';

export interface InstallOptions {
  directory: string;
  installCommand: string | null;
  allowScripts: boolean;
  timeoutMs: number;
  onLine(manager: string, stream: InstallStream, line: string): void;
  signal?: AbortSignal;
  /** The install's environment; defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export interface InstallResult {
  skipped: boolean;
  manager: string | null;
  command: string | null;
}

const KNOWN_MANAGERS = new Set(['npm', 'pnpm', 'yarn']);
const KILL_GRACE_MS = 5_000;

interface PackageManagerSpec {
  name: string;
  version?: string;
}

/** Reads devEngines.packageManager from package.json, which may be one entry or a list. */
export function devEnginesPackageManager(packageJson: unknown): PackageManagerSpec | null {
  if (!packageJson || typeof packageJson !== 'object') return null;
  const devEngines = (packageJson as { devEngines?: unknown }).devEngines;
  if (!devEngines || typeof devEngines !== 'object') return null;
  const value = (devEngines as { packageManager?: unknown }).packageManager;
  const first = Array.isArray(value) ? value[0] : value;
  if (!first || typeof first !== 'object') return null;
  const name = (first as { name?: unknown }).name;
  if (typeof name !== 'string' || name.length === 0) return null;
  const version = (first as { version?: unknown }).version;
  return typeof version === 'string' ? { name, version } : { name };
}

function installArguments(manager: string, allowScripts: boolean): string[] {
  const scripts = allowScripts ? [] : ['--ignore-scripts'];
  if (manager === 'npm') return ['install', '--omit=dev', '--no-audit', '--no-fund', ...scripts];
  if (manager === 'pnpm') return ['install', '--prod', ...scripts];
  return ['install', ...scripts];
}

/** Runs the install and streams every output line to `onLine`; skipped without package.json. */
export async function installDependencies(options: InstallOptions): Promise<InstallResult> {
  const packageFile = join(options.directory, 'package.json');
  if (!options.installCommand && !existsSync(packageFile)) {
    return { skipped: true, manager: null, command: null };
  }
  let command: string;
  let args: string[];
  let manager: string;
  if (options.installCommand) {
    manager = 'custom';
    command = process.platform === 'win32' ? 'cmd.exe' : '/bin/sh';
    args =
      process.platform === 'win32'
        ? ['/d', '/s', '/c', options.installCommand]
        : ['-c', options.installCommand];
  } else {
    let packageJson: unknown;
    try {
      packageJson = JSON.parse(await readFile(packageFile, 'utf8'));
    } catch (error) {
      throw new HttpError(
        422,
        'INVALID_PACKAGE_JSON',
        `package.json of the component is not valid JSON: ${(error as Error).message}`,
      );
    }
    const named = devEnginesPackageManager(packageJson);
    manager = named?.name ?? 'npm';
    if (named && !KNOWN_MANAGERS.has(named.name)) {
      throw new HttpError(
        422,
        'UNKNOWN_PACKAGE_MANAGER',
        `devEngines.packageManager names ${JSON.stringify(named.name)}, which is not npm, pnpm or yarn: name one of those`,
      );
    }
    command = manager;
    args = installArguments(manager, options.allowScripts);
  }
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    NO_UPDATE_NOTIFIER: '1',
    npm_config_update_notifier: 'false',
  };
  if (!options.allowScripts) env.npm_config_ignore_scripts = 'true';
  let result: Awaited<ReturnType<typeof spawnLines>>;
  try {
    result = await spawnLines(command, args, {
      cwd: options.directory,
      env,
      timeoutMs: options.timeoutMs,
      killGraceMs: KILL_GRACE_MS,
      signal: options.signal,
      onLine: (stream, line) => options.onLine(manager, stream, line),
    });
  } catch (error) {
    if (error instanceof CommandNotFoundError) {
      throw new HttpError(
        422,
        'PACKAGE_MANAGER_NOT_FOUND',
        manager === 'custom'
          ? `install command failed to start: ${error.message}`
          : `package manager ${manager} is not installed on this node: install it, or remove devEngines.packageManager from package.json to use npm`,
        { cause: error },
      );
    }
    const message = (error as Error).message;
    throw new HttpError(422, 'INSTALL_FAILED', `install with ${manager} failed: ${message}`, {
      cause: error,
    });
  }
  if (result.code !== 0) {
    throw new HttpError(
      422,
      'INSTALL_FAILED',
      `install with ${manager} failed: ${command} ${args.join(' ')} exited with ${result.signal ? `signal ${result.signal}` : `code ${result.code}`}`,
    );
  }
  return { skipped: false, manager, command: [command, ...args].join(' ') };
}
