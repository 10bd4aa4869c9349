import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { DeploymentEvent } from './deployment-event.js';
import type { DeploymentOutcome } from './deployment-outcome.js';
import { DeployInterruptedError, UsageError } from './errors.js';
import { followDeployment, type ReconnectNotice } from './follow-deployment.js';
import { type PackedDirectory, packDirectory } from './pack-directory.js';
import { buildEndpointUrl, type ConnectionOptions, resolveServerTarget } from './server-target.js';
import { type UploadProgress, uploadPayload } from './upload-payload.js';

/** Restart policy: when the nodes restart their HTTP workers to load the new component. */
export type RestartMode = 'none' | 'immediate' | 'rolling';

/** The restart modes the server accepts. */
export const RESTART_MODES: readonly RestartMode[] = ['none', 'immediate', 'rolling'];

/** The tarball about to be uploaded. */
export interface PayloadSummary {
  project: string;
  path: string;
  bytes: number;
  /** Entries packed from the folder, or `undefined` for a `tarball` given by the caller. */
  entries: number | undefined;
}

/** A finished upload. */
export interface UploadSummary {
  bytes: number;
  durationMs: number;
  /** From the `x-deployment-id` response header, when the server sent it. */
  deploymentId: string | undefined;
}

/** Options of deploy. */
export interface DeployOptions extends ConnectionOptions {
  /** Folder to pack and deploy. Defaults to the current folder. Not allowed with `tarball`. */
  directory?: string;
  /** A `.tar.gz` or `.tgz` file to upload as it is, in place of packing a folder. */
  tarball?: string;
  /** Project name. Defaults to the folder name, or the tarball's name without its extension. */
  project?: string;
  restart?: RestartMode;
  /** Command that replaces the server's default install command. */
  installCommand?: string;
  /** Time limit of the install command, in milliseconds. */
  installTimeoutMs?: number;
  /** Let the package manager run install scripts. */
  allowScripts?: boolean;
  /** Let the deployment succeed when some peers fail. */
  ignoreReplicationErrors?: boolean;
  /** Keep `node_modules` folders in the packed tarball. */
  includeNodeModules?: boolean;
  /** How long to keep reconnecting after the event stream drops, in milliseconds. */
  reconnectTimeoutMs?: number;
  /** How long the event stream may stay silent before it counts as dropped, in milliseconds. */
  idleTimeoutMs?: number;
  /**
   * Aborting during the upload destroys the request, so the server fails the deployment. Aborting
   * later only detaches. Either way the promise rejects with DeployInterruptedError.
   */
  signal?: AbortSignal;
  onPayloadReady?: (summary: PayloadSummary) => void;
  onUploadProgress?: (progress: UploadProgress) => void;
  onUploaded?: (summary: UploadSummary) => void;
  onEvent?: (event: DeploymentEvent) => void;
  onReconnect?: (notice: ReconnectNotice) => void;
}

/**
 * Packs a folder, or takes a tarball, uploads it to `POST /deploy_component` and follows the
 * deployment's events to the end. Returns the outcome, which may be a failed deployment.
 *
 * Throws UsageError for invalid options, ConnectionError when the server cannot be reached,
 * ServerRejectedError for a non-2xx response, StreamLostError when the event stream cannot be
 * recovered, and DeployInterruptedError on abort. A tarball packed here is deleted before the
 * promise settles.
 */
export async function deploy(options: DeployOptions): Promise<DeploymentOutcome> {
  const target = resolveServerTarget(options);
  validateDeployOptions(options);

  let packed: PackedDirectory | undefined;
  try {
    let payload: PayloadSummary;
    if (options.tarball !== undefined) {
      const tarballStats = await stat(options.tarball).catch(() => undefined);
      if (tarballStats === undefined || !tarballStats.isFile()) {
        throw new UsageError(`tarball not found: ${options.tarball}`);
      }
      payload = {
        project: options.project ?? projectNameFromTarball(options.tarball),
        path: options.tarball,
        bytes: tarballStats.size,
        entries: undefined,
      };
    } else {
      const directory = options.directory ?? '.';
      packed = await packDirectory(directory, { includeNodeModules: options.includeNodeModules });
      payload = {
        project: options.project ?? basename(resolve(directory)),
        path: packed.path,
        bytes: packed.bytes,
        entries: packed.entries,
      };
    }
    if (payload.project === '') {
      throw new UsageError('the project name is empty: set one with --project');
    }
    if (options.signal?.aborted) throw new DeployInterruptedError('upload');
    options.onPayloadReady?.(payload);

    const uploaded = await uploadPayload({
      url: buildEndpointUrl(target, ['deploy_component']),
      authorization: target.authorization,
      fields: buildFormFields(options, payload.project),
      payloadPath: payload.path,
      payloadBytes: payload.bytes,
      fileName: `${payload.project}.tar.gz`,
      signal: options.signal,
      onProgress: options.onUploadProgress,
    });
    const headerId = uploaded.response.headers['x-deployment-id'];
    const deploymentId = typeof headerId === 'string' && headerId !== '' ? headerId : undefined;
    options.onUploaded?.({ bytes: payload.bytes, durationMs: uploaded.durationMs, deploymentId });

    return await followDeployment({
      target,
      deploymentId,
      initialResponse: uploaded.response,
      reconnectTimeoutMs: options.reconnectTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      signal: options.signal,
      onEvent: options.onEvent,
      onReconnect: options.onReconnect,
    });
  } finally {
    await packed?.remove();
  }
}

/** Returns the tarball's file name without `.tar.gz` or `.tgz`. */
export function projectNameFromTarball(tarballPath: string): string {
  return basename(tarballPath).replace(/\.(tar\.gz|tgz)$/i, '');
}

function validateDeployOptions(options: DeployOptions): void {
  if (options.tarball !== undefined && options.directory !== undefined) {
    throw new UsageError('pass either a folder or a tarball, not both');
  }
  if (options.restart !== undefined && !RESTART_MODES.includes(options.restart)) {
    throw new UsageError(
      `invalid restart mode "${options.restart}": expected one of ${RESTART_MODES.join(', ')}`,
    );
  }
  if (
    options.installTimeoutMs !== undefined &&
    (!Number.isInteger(options.installTimeoutMs) || options.installTimeoutMs <= 0)
  ) {
    throw new UsageError(
      `invalid install timeout ${options.installTimeoutMs}: expected a positive number of milliseconds`,
    );
  }
}

function buildFormFields(options: DeployOptions, project: string): Array<[string, string]> {
  const fields: Array<[string, string]> = [['project', project]];
  if (options.restart !== undefined) fields.push(['restart', options.restart]);
  if (options.installCommand !== undefined)
    fields.push(['install_command', options.installCommand]);
  if (options.installTimeoutMs !== undefined)
    fields.push(['install_timeout', String(options.installTimeoutMs)]);
  if (options.allowScripts !== undefined)
    fields.push(['install_allow_scripts', String(options.allowScripts)]);
  if (options.ignoreReplicationErrors !== undefined) {
    fields.push(['ignore_replication_errors', String(options.ignoreReplicationErrors)]);
  }
  return fields;
}
