import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the built bin that the child-process tests run. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Maximum time a CLI run may take before the helper kills it, in milliseconds. */
const DEFAULT_RUN_TIMEOUT_MS = 15_000;

/** Exit status and output of a CLI child process. */
export interface CliRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of startCliProcess. */
export interface CliProcessOptions {
  /** Added to the environment, which starts without any HARPER_ or NO_COLOR variable. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** A started CLI process and its outcome. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves once stderr contains the text. */
  waitForStderr(text: string): Promise<void>;
  result: Promise<CliRun>;
}

/** Starts `node dist/cli.js ...args` and collects its output. Kills it, by its PID, on timeout. */
export function startCliProcess(
  args: readonly string[],
  options: CliProcessOptions = {},
): CliProcess {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('HARPER_') && name !== 'NO_COLOR')
      env[name] = value;
  }
  Object.assign(env, options.env);

  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrWaiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of stderrWaiters.filter((candidate) => stderr.includes(candidate.text))) {
      stderrWaiters.splice(stderrWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });

  const timer = setTimeout(
    () => child.kill('SIGKILL'),
    options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
  );
  const result = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr });
    });
  });

  return {
    child,
    waitForStderr: (text) =>
      stderr.includes(text)
        ? Promise.resolve()
        : new Promise((resolve) => {
            stderrWaiters.push({ text, resolve });
          }),
    result,
  };
}

/** Runs the CLI to completion. */
export function runCliProcess(
  args: readonly string[],
  options: CliProcessOptions = {},
): Promise<CliRun> {
  return startCliProcess(args, options).result;
}
