// Proves, before any restart, that a staged component's JavaScript resources import: each file
// is imported in a separate Node process where `harperdb` and Harper's globals are inert stand-ins.
// This catches syntax errors, missing dependencies and code that throws at load time. The
// restart phase then checks with Harper itself whether the component loaded.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnLines } from 'line-spawn';
import { glob } from 'tinyglobby';
import { parse as parseYaml } from 'yaml';
import { HttpError } from '../http-error.js';

export const DEFAULT_LOAD_CHECK_TIMEOUT_MS = 60_000;
const DEFAULT_RESOURCE_PATTERNS = ['resources.js'];

/**
 * The child program. A deep proxy replaces every Harper value: any property is another
 * proxy, calls and `new` return proxies, and `then` is undefined so an awaited value resolves.
 */
const CHILD_PROGRAM = `
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
const handler = {
  get(target, key) {
    if (key === 'then') return undefined;
    if (key === Symbol.toPrimitive) return () => '';
    if (key === Symbol.iterator) return function* () {};
    if (key === Symbol.asyncIterator) return async function* () {};
    if (key === 'prototype') return target.prototype;
    return stub();
  },
  apply() { return stub(); },
  construct() { return stub(); },
};
function stub() { return new Proxy(function () {}, handler); }
const harper = stub();
for (const name of ['server', 'tables', 'databases', 'logger', 'Resource', 'createBlob', 'transaction', 'contentTypes', 'getUser', 'RequestTarget']) {
  globalThis[name] = stub();
}
globalThis.__harperStandIn = harper;
const names = ['server', 'tables', 'databases', 'logger', 'Resource', 'createBlob', 'transaction', 'contentTypes', 'getUser', 'RequestTarget', 'OptionsWatcher', 'EntryHandler', 'Scope', 'operation', 'config'];
const source = names.map((name) => 'export const ' + name + ' = globalThis.' + (globalThis[name] ? name : '__harperStandIn.' + name) + ';').join('\\n') + '\\nexport default globalThis.__harperStandIn;';
const hooks = 'export async function resolve(specifier, context, next) {' +
  ' if (specifier === "harperdb" || specifier === "harper") return { url: "data:text/javascript," + encodeURIComponent(' + JSON.stringify(source) + '), shortCircuit: true };' +
  ' return next(specifier, context); }';
register('data:text/javascript,' + encodeURIComponent(hooks));
for (const file of JSON.parse(process.argv[1])) {
  await import(pathToFileURL(file).href);
}
`;

/** Returns the JavaScript resource files that Harper would load for the component. */
export async function resourceFiles(directory: string): Promise<string[]> {
  let patterns = DEFAULT_RESOURCE_PATTERNS;
  const configFile = join(directory, 'config.yaml');
  if (existsSync(configFile)) {
    let config: unknown;
    try {
      config = parseYaml(await readFile(configFile, 'utf8'));
    } catch (error) {
      throw new HttpError(
        422,
        'INVALID_CONFIG',
        `config.yaml of the component is not valid YAML: ${(error as Error).message}`,
      );
    }
    const files = (config as { jsResource?: { files?: unknown } } | null)?.jsResource?.files;
    if (typeof files === 'string') patterns = [files];
    else if (Array.isArray(files) && files.every((file) => typeof file === 'string'))
      patterns = files;
    else if (config && typeof config === 'object' && !('jsResource' in config)) patterns = [];
  }
  if (patterns.length === 0) return [];
  const found = await glob(patterns, {
    cwd: directory,
    absolute: true,
    ignore: ['node_modules/**'],
  });
  return found.sort();
}

/** Imports every resource file of the staged component in a child process; throws on failure. */
export async function checkComponentLoads(
  directory: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ files: string[] }> {
  const files = await resourceFiles(directory);
  if (files.length === 0) return { files };
  const output: string[] = [];
  const result = await spawnLines(
    process.execPath,
    ['--input-type=module', '-e', CHILD_PROGRAM, JSON.stringify(files)],
    {
      cwd: directory,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeoutMs: options.timeoutMs ?? DEFAULT_LOAD_CHECK_TIMEOUT_MS,
      signal: options.signal,
      onLine: (_stream, line) => {
        if (output.length < 40) output.push(line);
      },
    },
  ).catch((error: Error) => {
    throw new HttpError(422, 'LOAD_FAILED', `component failed to load: ${error.message}`, {
      cause: error,
    });
  });
  if (result.code !== 0) {
    // Node prints the throwing source line first; the line that starts with the error's name
    // carries the message.
    const reason = output.find((line) => /^[A-Za-z]*Error\b.*: /.test(line)) ?? output.join('\n');
    throw new HttpError(
      422,
      'LOAD_FAILED',
      `component failed to load: ${reason.trim() || `exit code ${result.code}`}`,
    );
  }
  return { files };
}
