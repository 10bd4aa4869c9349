import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type DeployOptions, RESTART_MODES, type RestartMode } from './deploy.js';
import { UsageError } from './errors.js';
import { DEPLOY_HELP, LIST_HELP, MAIN_HELP, WATCH_HELP } from './help-text.js';
import type { ListOptions } from './list.js';
import type { ConnectionOptions } from './server-target.js';
import type { WatchOptions } from './watch.js';

/** Environment variables the CLI reads. */
export type CliEnvironment = Readonly<Record<string, string | undefined>>;

/** A parsed command line. */
export type CliCommand =
  | { command: 'help'; text: string }
  | { command: 'version' }
  | { command: 'deploy'; json: boolean; options: DeployOptions }
  | { command: 'watch'; json: boolean; options: WatchOptions }
  | { command: 'list'; json: boolean; options: ListOptions };

const CONNECTION_OPTIONS = {
  target: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEPLOY_OPTIONS = {
  ...CONNECTION_OPTIONS,
  tarball: { type: 'string' },
  project: { type: 'string' },
  restart: { type: 'string' },
  'install-command': { type: 'string' },
  'install-timeout': { type: 'string' },
  'allow-scripts': { type: 'boolean' },
  'ignore-replication-errors': { type: 'boolean' },
  'include-node-modules': { type: 'boolean' },
  'reconnect-timeout': { type: 'string' },
} as const;

const WATCH_OPTIONS = {
  ...CONNECTION_OPTIONS,
  'reconnect-timeout': { type: 'string' },
} as const;

const LIST_OPTIONS = {
  ...CONNECTION_OPTIONS,
  project: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
} as const;

/**
 * Parses `harper-deploy` arguments, without the node and script paths. Flags win over the
 * `HARPER_TARGET`, `HARPER_USERNAME` and `HARPER_PASSWORD` variables. Throws UsageError for an
 * unknown command or flag, a missing value or an invalid number. Error messages never contain the
 * password.
 */
export function parseCommandLine(args: readonly string[], env: CliEnvironment): CliCommand {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
      throw new UsageError(`missing command\n\n${MAIN_HELP}`);
    case '-h':
    case '--help':
    case 'help':
      return { command: 'help', text: MAIN_HELP };
    case '--version':
      return { command: 'version' };
    case 'deploy':
      return parseDeploy(rest, env);
    case 'watch':
      return parseWatch(rest, env);
    case 'list':
      return parseList(rest, env);
    default:
      throw new UsageError(`unknown command "${command}": expected deploy, watch or list`);
  }
}

function parseDeploy(args: readonly string[], env: CliEnvironment): CliCommand {
  const { values, positionals } = parseFlags(args, DEPLOY_OPTIONS, 'deploy');
  if (values.help) return { command: 'help', text: DEPLOY_HELP };
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one folder, got ${positionals.length} arguments`);
  }
  if (positionals.length === 1 && values.tarball !== undefined) {
    throw new UsageError('pass either a folder or --tarball, not both');
  }
  if (values.restart !== undefined && !RESTART_MODES.includes(values.restart as RestartMode)) {
    throw new UsageError(
      `invalid --restart "${values.restart}": expected ${RESTART_MODES.join(', ')}`,
    );
  }

  const options: DeployOptions = {
    ...readConnection(values, env),
    directory: values.tarball === undefined ? (positionals[0] ?? '.') : undefined,
    tarball: values.tarball,
    project: values.project,
    restart: values.restart as RestartMode | undefined,
    installCommand: values['install-command'],
    installTimeoutMs: parseInteger('--install-timeout', values['install-timeout'], 1),
    allowScripts: values['allow-scripts'],
    ignoreReplicationErrors: values['ignore-replication-errors'],
    includeNodeModules: values['include-node-modules'],
    reconnectTimeoutMs: parseInteger('--reconnect-timeout', values['reconnect-timeout'], 0),
  };
  return { command: 'deploy', json: values.json === true, options };
}

function parseWatch(args: readonly string[], env: CliEnvironment): CliCommand {
  const { values, positionals } = parseFlags(args, WATCH_OPTIONS, 'watch');
  if (values.help) return { command: 'help', text: WATCH_HELP };
  const [deploymentId] = positionals;
  if (deploymentId === undefined || positionals.length > 1) {
    throw new UsageError(
      'expected exactly one deployment id: harper-deploy watch <deployment-id> --target URL',
    );
  }
  const options: WatchOptions = {
    ...readConnection(values, env),
    deploymentId,
    reconnectTimeoutMs: parseInteger('--reconnect-timeout', values['reconnect-timeout'], 0),
  };
  return { command: 'watch', json: values.json === true, options };
}

function parseList(args: readonly string[], env: CliEnvironment): CliCommand {
  const { values, positionals } = parseFlags(args, LIST_OPTIONS, 'list');
  if (values.help) return { command: 'help', text: LIST_HELP };
  if (positionals.length > 0) {
    throw new UsageError(`list takes no arguments, got ${positionals.length}`);
  }
  const options: ListOptions = {
    ...readConnection(values, env),
    project: values.project,
    status: values.status,
    limit: parseInteger('--limit', values.limit, 1),
    offset: parseInteger('--offset', values.offset, 0),
  };
  return { command: 'list', json: values.json === true, options };
}

type FlagDefinitions = NonNullable<ParseArgsConfig['options']>;

function parseFlags<const Definitions extends FlagDefinitions>(
  args: readonly string[],
  definitions: Definitions,
  command: string,
) {
  try {
    return parseArgs({
      args: [...args],
      options: definitions,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `${message}\nRun "harper-deploy ${command} --help" for the list of flags.`,
    );
  }
}

function readConnection(
  values: { target?: string; username?: string; password?: string },
  env: CliEnvironment,
): ConnectionOptions {
  const target = values.target ?? nonEmpty(env.HARPER_TARGET);
  if (target === undefined) {
    throw new UsageError(
      'missing --target: pass the URL of a Harper node, such as https://node-1:9926, or set HARPER_TARGET',
    );
  }
  return {
    target,
    username: values.username ?? nonEmpty(env.HARPER_USERNAME),
    password: values.password ?? nonEmpty(env.HARPER_PASSWORD),
  };
}

function parseInteger(
  flag: string,
  value: string | undefined,
  minimum: number,
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < minimum) {
    throw new UsageError(
      `invalid ${flag} "${value}": expected a whole number of at least ${minimum}`,
    );
  }
  return parsed;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
