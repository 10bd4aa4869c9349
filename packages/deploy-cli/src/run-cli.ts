import { readFileSync } from 'node:fs';
import { type CliCommand, type CliEnvironment, parseCommandLine } from './cli-arguments.js';
import { deploy } from './deploy.js';
import type { DeploymentOutcome } from './deployment-outcome.js';
import { formatDeploymentTable } from './deployment-table.js';
import { DeployInterruptedError, ServerRejectedError } from './errors.js';
import {
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_SUCCESS,
  EXIT_USAGE_OR_CONNECTION,
} from './exit-codes.js';
import { list } from './list.js';
import { createRenderer, type Renderer, type RendererStream } from './renderer.js';
import { formatTarget, resolveServerTarget } from './server-target.js';
import { createStylize, shouldUseColor } from './terminal-style.js';
import { watch } from './watch.js';

/** The process resources runCli uses, passed in so tests can run it in-process. */
export interface CliContext {
  /** Arguments after the node and script paths. */
  args: readonly string[];
  env: CliEnvironment;
  stdout: RendererStream;
  stderr: RendererStream;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/**
 * Runs one `harper-deploy` command and returns its exit code. Errors are written to stderr and
 * mapped to exit codes instead of rejecting the promise.
 */
export async function runCli(context: CliContext): Promise<number> {
  const { stdout, stderr, env, signal } = context;
  const renderer = createRenderer({ stdout, stderr, env, json: false });

  let command: CliCommand;
  let targetDisplay: string;
  try {
    command = parseCommandLine(context.args, env);
    if (command.command === 'help') {
      stdout.write(command.text);
      return EXIT_SUCCESS;
    }
    if (command.command === 'version') {
      stdout.write(`${readPackageVersion()}\n`);
      return EXIT_SUCCESS;
    }
    targetDisplay = formatTarget(resolveServerTarget(command.options));
  } catch (error) {
    return reportError(error, renderer, { signal, target: '' });
  }

  const commandRenderer = createRenderer({ stdout, stderr, env, json: command.json });
  try {
    if (command.command === 'list') {
      const deployments = await list({ ...command.options, signal });
      if (command.json) {
        stdout.write(`${JSON.stringify(deployments)}\n`);
      } else {
        const stylize = createStylize(shouldUseColor(stdout, env));
        for (const line of formatDeploymentTable(deployments.deployments, stylize)) {
          stdout.write(`${line}\n`);
        }
        stderr.write(`${deployments.deployments.length} of ${deployments.total} deployments\n`);
      }
      return EXIT_SUCCESS;
    }

    const callbacks = {
      signal,
      onEvent: commandRenderer.event,
      onReconnect: commandRenderer.reconnecting,
    };
    let outcome: DeploymentOutcome;
    if (command.command === 'deploy') {
      outcome = await deploy({
        ...command.options,
        ...callbacks,
        onPayloadReady: commandRenderer.payloadReady,
        onUploadProgress: commandRenderer.uploadProgress,
        onUploaded: commandRenderer.uploaded,
      });
    } else {
      outcome = await watch({ ...command.options, ...callbacks });
    }
    commandRenderer.outcome(outcome);
    return outcome.succeeded ? EXIT_SUCCESS : EXIT_FAILED;
  } catch (error) {
    return reportError(error, commandRenderer, { signal, target: targetDisplay });
  } finally {
    commandRenderer.close();
  }
}

/** Reports an error on stderr and maps it to an exit code. */
function reportError(
  error: unknown,
  renderer: Renderer,
  context: { signal: AbortSignal | undefined; target: string },
): number {
  if (error instanceof DeployInterruptedError) {
    if (error.stage === 'upload') renderer.uploadAborted();
    else renderer.detached({ deploymentId: error.deploymentId, target: context.target });
    return EXIT_INTERRUPTED;
  }
  if (context.signal?.aborted) {
    renderer.error('interrupted');
    return EXIT_INTERRUPTED;
  }
  const message = error instanceof Error ? error.message : String(error);
  renderer.error(message);
  if (error instanceof ServerRejectedError) return EXIT_FAILED;
  // UsageError, ConnectionError, StreamLostError, and local errors such as an unreadable folder.
  return EXIT_USAGE_OR_CONNECTION;
}

/** Reads the version from package.json, one folder above both src/ and dist/. */
function readPackageVersion(): string {
  const packageJson: unknown = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  );
  const version = (packageJson as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
