// The part of a deployment every node runs before its restart: extract the payload into a
// staging folder, install dependencies, prove the resources load, then swap the new version in.
import type { Readable } from 'node:stream';
import type { DeployOptions } from '../deploy-options.js';
import { HttpError } from '../http-error.js';
import type { DeploySettings } from '../settings.js';
import { type ComponentStore, discardStaging, type SwapResult, swapIn } from './component-store.js';
import { extractPayload } from './extract.js';
import { type InstallStream, installDependencies } from './install.js';
import { checkComponentLoads } from './load-check.js';

export type Phase = 'upload' | 'extract' | 'install' | 'load' | 'replicate' | 'restart';

/** An error from one phase of a deployment, carrying the phase for the row's `error`. */
export class PhaseError extends Error {
  override readonly name = 'PhaseError';
  readonly phase: Phase;
  readonly code: string;
  readonly status: number;

  constructor(phase: Phase, cause: unknown) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(message, { cause });
    this.phase = phase;
    this.code =
      cause instanceof HttpError
        ? cause.code
        : ((cause as { code?: string })?.code ?? 'DEPLOY_FAILED');
    this.status = cause instanceof HttpError ? cause.status : 500;
  }
}

export interface PrepareHooks {
  phase(phase: Phase, status: 'start' | 'done' | 'error', message?: string): void;
  installLine(manager: string, stream: InstallStream, line: string): void;
}

export interface PrepareOptions {
  deploymentId: string;
  options: DeployOptions;
  settings: DeploySettings;
  store: ComponentStore;
  hooks: PrepareHooks;
  signal?: AbortSignal;
}

async function runPhase<T>(
  phase: Phase,
  hooks: PrepareHooks,
  work: () => Promise<T>,
  done?: (value: T) => string | undefined,
): Promise<T> {
  hooks.phase(phase, 'start');
  try {
    const value = await work();
    hooks.phase(phase, 'done', done?.(value));
    return value;
  } catch (error) {
    const phaseError = error instanceof PhaseError ? error : new PhaseError(phase, error);
    hooks.phase(phase, 'error', phaseError.message);
    throw phaseError;
  }
}

/** Runs extract, install and load; on success the new version is live on disk (not yet loaded). */
export async function prepareComponent(
  source: Readable,
  prepare: PrepareOptions,
): Promise<SwapResult> {
  const { deploymentId, options, settings, store, hooks } = prepare;
  const stagingDir = store.stagingDir(deploymentId);
  try {
    await runPhase(
      'extract',
      hooks,
      () => extractPayload(source, stagingDir, settings),
      (result) =>
        `${result.entries} entries, ${result.expandedBytes} bytes${result.flattened ? `, flattened ${result.flattened}/` : ''}`,
    );
    await runPhase(
      'install',
      hooks,
      () =>
        installDependencies({
          directory: stagingDir,
          installCommand: options.installCommand,
          allowScripts: options.installAllowScripts,
          timeoutMs: options.installTimeoutMs ?? settings.installTimeoutMs,
          onLine: hooks.installLine,
          signal: prepare.signal,
        }),
      (result) =>
        result.skipped ? 'skipped: no package.json' : `installed with ${result.manager}`,
    );
    await runPhase(
      'load',
      hooks,
      () => checkComponentLoads(stagingDir, { signal: prepare.signal }),
      (result) => `${result.files.length} resource files imported`,
    );
    return await swapIn(store, options.project, deploymentId);
  } catch (error) {
    await discardStaging(store, deploymentId);
    throw error instanceof PhaseError ? error : new PhaseError('load', error);
  }
}
