// Validation of a deploy request's options, shared by the multipart and JSON forms of the
// deploy route and by the peer route.
import { HttpError } from './http-error.js';

export type RestartMode = 'none' | 'immediate' | 'rolling';
export const RESTART_MODES: readonly RestartMode[] = ['none', 'immediate', 'rolling'];
export const DEFAULT_RESTART_MODE: RestartMode = 'rolling';

export interface DeployOptions {
  project: string;
  restart: RestartMode;
  installCommand: string | null;
  installTimeoutMs: number | null;
  installAllowScripts: boolean;
  ignoreReplicationErrors: boolean;
}

/** Option names a deploy request may carry, besides the payload itself. */
export const DEPLOY_FIELDS = new Set([
  'operation',
  'project',
  'restart',
  'install_command',
  'install_timeout',
  'install_allow_scripts',
  'ignore_replication_errors',
]);

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const PROJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Throws 400 for a field name that could pollute an object prototype. */
export function assertSafeFieldName(name: string): void {
  if (UNSAFE_KEYS.has(name)) {
    throw new HttpError(
      400,
      'INVALID_FIELD',
      `invalid field name ${JSON.stringify(name)}: rename the field`,
    );
  }
}

/** Checks that a project name is one safe path segment: no `..`, `/`, leading dot or emptiness. */
export function validateProject(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new HttpError(
      400,
      'INVALID_PROJECT',
      'missing project: send the component name in the project field',
    );
  }
  if (!PROJECT_PATTERN.test(value) || value.includes('..')) {
    throw new HttpError(
      400,
      'INVALID_PROJECT',
      `invalid project ${JSON.stringify(value)}: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters`,
    );
  }
  return value;
}

function parseBoolean(name: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw new HttpError(
    400,
    'INVALID_OPTION',
    `invalid ${name} ${JSON.stringify(value)}: use true or false`,
  );
}

function parseTimeout(name: string, value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  let number = Number.NaN;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string') number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new HttpError(
      400,
      'INVALID_OPTION',
      `invalid ${name} ${JSON.stringify(value)}: use a positive whole number of milliseconds`,
    );
  }
  return number;
}

/** Parses and validates the options of a deploy request; unknown options are rejected. */
export function parseDeployOptions(
  fields: Record<string, unknown>,
  policy: { allowInstallCommand: boolean },
): DeployOptions {
  for (const name of Object.keys(fields)) {
    assertSafeFieldName(name);
    if (!DEPLOY_FIELDS.has(name)) {
      if (name === 'package') {
        throw new HttpError(
          501,
          'PACKAGE_NOT_SUPPORTED',
          'deploying from a package reference is not supported yet: upload the component as a payload',
        );
      }
      throw new HttpError(
        400,
        'UNKNOWN_OPTION',
        `unknown option ${JSON.stringify(name)}: allowed options are ${[...DEPLOY_FIELDS].join(', ')}`,
      );
    }
  }
  if (fields.operation !== undefined && fields.operation !== 'deploy_component') {
    throw new HttpError(
      400,
      'INVALID_OPTION',
      `invalid operation ${JSON.stringify(fields.operation)}: this route runs deploy_component`,
    );
  }
  const restart = fields.restart ?? DEFAULT_RESTART_MODE;
  let restartMode: RestartMode;
  if (restart === true || restart === 'true') restartMode = 'rolling';
  else if (restart === false || restart === 'false') restartMode = 'none';
  else if (typeof restart === 'string' && (RESTART_MODES as readonly string[]).includes(restart)) {
    restartMode = restart as RestartMode;
  } else {
    throw new HttpError(
      400,
      'INVALID_OPTION',
      `invalid restart ${JSON.stringify(restart)}: use none, immediate or rolling`,
    );
  }
  let installCommand: string | null = null;
  if (fields.install_command !== undefined && fields.install_command !== '') {
    if (typeof fields.install_command !== 'string') {
      throw new HttpError(400, 'INVALID_OPTION', 'invalid install_command: send it as a string');
    }
    if (!policy.allowInstallCommand) {
      throw new HttpError(
        403,
        'INSTALL_COMMAND_NOT_ALLOWED',
        'install_command is not allowed on this cluster: remove it, or set DEPLOY_ALLOW_INSTALL_COMMAND=true on every node',
      );
    }
    installCommand = fields.install_command;
  }
  return {
    project: validateProject(fields.project),
    restart: restartMode,
    installCommand,
    installTimeoutMs: parseTimeout('install_timeout', fields.install_timeout),
    installAllowScripts: parseBoolean('install_allow_scripts', fields.install_allow_scripts),
    ignoreReplicationErrors: parseBoolean(
      'ignore_replication_errors',
      fields.ignore_replication_errors,
    ),
  };
}
