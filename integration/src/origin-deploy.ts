// The origin's side of a deployment: stream the upload into the row's blob, prepare the component
// locally, replicate a clean operation to the peers, record their outcomes, and restart.
import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { DeploymentRecorder } from '@harper-deploy/deploy-recorder';
import {
  createHttpTransport,
  createReplicateOperation,
  summarizeReplication,
  toPeerResults,
} from '@harper-deploy/harper-pro-adapter';
import { createHashingCounter, stripForReplication } from '@harper-deploy/peer-relay';
import type { NodeContext } from './context.js';
import type { DeployOptions } from './deploy-options.js';
import { type HarperTable, harper } from './harper.js';
import { HttpError } from './http-error.js';
import { dropBackup, type SwapResult } from './lifecycle/component-store.js';
import { PhaseError, prepareComponent } from './lifecycle/prepare.js';
import {
  type NodeOutcome,
  requestWorkerRestart,
  writePendingRestart,
} from './lifecycle/restart.js';
import {
  listPeers,
  ownHttpPort,
  peerHttpUrl,
  requestPeerRestart,
  waitForPeerOutcome,
} from './peers.js';
import type { DeploymentRow, PeerResult } from './row-types.js';

const PEER_RESTART_REQUEST_TIMEOUT_MS = 10_000;
/** Peer error codes of a failed payload read, after which the origin sends the blob once more. */
const PAYLOAD_READ_CODES: ReadonlySet<string> = new Set([
  'BLOB_IDLE_TIMEOUT',
  'PAYLOAD_BLOB_MISSING',
  'PAYLOAD_SIZE_MISMATCH',
  'PAYLOAD_HASH_MISMATCH',
  'PAYLOAD_READ_FAILED',
]);
const UPLOAD_ERROR_GRACE_MS = 100;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Deployments running in this worker, by project; a second deploy of a project gets 409. */
const running = new Map<string, { deploymentId: string; recorder: DeploymentRecorder }>();

/** Returns the live recorder of a deployment running in this worker, if there is one. */
export function liveRecorder(deploymentId: string): DeploymentRecorder | undefined {
  for (const entry of running.values())
    if (entry.deploymentId === deploymentId) return entry.recorder;
  return undefined;
}

export interface OriginDeployment {
  deploymentId: string;
  recorder: DeploymentRecorder;
  /** Settles when this worker is done with the deployment: terminal, or handed to the restart. */
  settled: Promise<OriginSettlement>;
}

export interface OriginSettlement {
  status: string;
  replicated: PeerResult[];
  /** True when the row is finished by the worker that starts after the restart. */
  handedToRestart: boolean;
  error: { message: string; code: string; phase: string } | null;
  httpStatus: number;
}

interface StartOptions {
  context: NodeContext;
  options: DeployOptions;
  payload: Readable;
  user: string;
  authorization: string | null;
}

/** Checks the project lock in memory and in the table, then starts the deployment. */
export async function startOriginDeploy(start: StartOptions): Promise<OriginDeployment> {
  const { context, options } = start;
  const active = running.get(options.project);
  if (active) {
    start.payload.resume();
    throw new HttpError(
      409,
      'DEPLOY_IN_PROGRESS',
      `project ${options.project} is already being deployed (deployment ${active.deploymentId}): wait for it to finish`,
      { details: { deployment_id: active.deploymentId } },
    );
  }
  const deploymentId = randomUUID();
  const recorder = new DeploymentRecorder({
    table: context.table,
    deploymentId,
    project: options.project,
    originNode: context.nodeName,
    user: start.user,
    restartMode: options.restart,
    onError: (error: unknown) =>
      context.logger.error(`deployment ${deploymentId}: writing the deployment row failed`, error),
  });
  running.set(options.project, { deploymentId, recorder });
  try {
    await recorder.start();
  } catch (error) {
    running.delete(options.project);
    start.payload.resume();
    throw error;
  }
  context.logger.info(`deployment ${deploymentId} of ${options.project} started by ${start.user}`);
  const settled = runOriginDeploy({ ...start, deploymentId, recorder }).finally(() => {
    running.delete(options.project);
  });
  return { deploymentId, recorder, settled };
}

function phaseHooks(recorder: DeploymentRecorder) {
  return {
    phase: (phase: string, status: 'start' | 'done' | 'error', message?: string) => {
      recorder.emit(
        'phase',
        message === undefined ? { phase, status } : { phase, status, message },
      );
    },
    installLine: (manager: string, stream: 'stdout' | 'stderr', line: string) => {
      recorder.emit('install', { manager, stream, line });
    },
  };
}

async function runOriginDeploy(
  run: StartOptions & { deploymentId: string; recorder: DeploymentRecorder },
): Promise<OriginSettlement> {
  const { context, options, recorder, deploymentId } = run;
  const startedAt = Date.now();
  const hooks = phaseHooks(recorder);
  let swap: SwapResult;
  const upload = streamUploadIntoBlob(run);
  let uploadError: unknown = null;
  upload.uploaded.catch((error: unknown) => {
    uploadError = error;
  });
  try {
    swap = await prepareComponent(upload.source, {
      deploymentId,
      options,
      settings: context.settings,
      store: context.store,
      hooks,
    });
    await upload.uploaded;
  } catch (error) {
    // An aborted upload also breaks extraction; give the upload's own error a moment to surface
    // because it explains the failure better.
    await Promise.race([upload.uploaded.catch(() => undefined), sleep(UPLOAD_ERROR_GRACE_MS)]);
    upload.abort();
    const cause = uploadError ?? error;
    const phaseError = cause instanceof PhaseError ? cause : new PhaseError('upload', cause);
    context.logger.warn(
      `deployment ${deploymentId} failed in ${phaseError.phase}: ${phaseError.message}`,
    );
    recorder.update({ payload_blob: null, payload_hash: null, payload_size: null });
    const row = await recorder.fail({
      message: phaseError.message,
      code: phaseError.code,
      phase: phaseError.phase,
    });
    return {
      status: row.status,
      replicated: [],
      handedToRestart: false,
      error: { message: phaseError.message, code: phaseError.code, phase: phaseError.phase },
      httpStatus: phaseError.status >= 400 && phaseError.status < 600 ? phaseError.status : 500,
    };
  }
  const preparedAt = Date.now();
  const peerResults = await replicateToPeers(run);
  return restartAndFinish(run, { swap, startedAt, preparedAt, peerResults });
}

interface UploadStreams {
  /** The payload bytes for extraction, as they arrive. */
  source: Readable;
  /** Settles when the whole payload is in the blob and its hash and size are on the row. */
  uploaded: Promise<void>;
  /** Stops the upload after a failure, so the request is drained and the blob abandoned. */
  abort(): void;
}

/**
 * Streams the upload through a hashing counter into a blob on the row and, at the same time, to
 * the extractor. The upload is never held whole in memory: the slower side applies backpressure.
 */
function streamUploadIntoBlob(
  run: StartOptions & { deploymentId: string; recorder: DeploymentRecorder },
): UploadStreams {
  const { recorder, payload } = run;
  recorder.emit('phase', { phase: 'upload', status: 'start' });
  const counter = createHashingCounter();
  const blobInput = new PassThrough();
  const extractInput = new PassThrough();
  // The upload's own promise reports a failed upload, so the extract copy's error is ignored here.
  extractInput.on('error', () => undefined);
  // finished() also reports an error that happened before this point: the upload parser can
  // fail the payload while the deployment row is still being created.
  finished(payload).catch((error: unknown) => counter.destroy(error as Error));
  counter.on('error', (error) => {
    // Harper 4.7's blob writer rethrows an error of its source where nothing catches it, which
    // logged an uncaughtException on every aborted upload. The blob copy ends short instead, and
    // the failed row drops its blob.
    blobInput.end();
    extractInput.destroy(error);
  });
  payload.pipe(counter);
  counter.pipe(blobInput);
  counter.pipe(extractInput);

  recorder.update({ payload_blob: harper().createBlob(blobInput) });
  const uploaded = finished(counter).then(
    async () => {
      const digest = counter.digest();
      recorder.update({ payload_hash: digest, payload_size: counter.bytes });
      recorder.emit('phase', {
        phase: 'upload',
        status: 'done',
        message: `${counter.bytes} bytes, sha256 ${digest}`,
      });
      await recorder.checkpoint();
    },
    (error: unknown) => {
      recorder.emit('phase', {
        phase: 'upload',
        status: 'error',
        message: (error as Error).message,
      });
      throw new PhaseError('upload', error);
    },
  );
  // The caller that awaits `uploaded` handles a rejection. This handler only keeps Node from
  // reporting it as unhandled while extraction is still running.
  uploaded.catch(() => undefined);

  return {
    source: extractInput,
    uploaded,
    abort: () => {
      const error = new Error('the deployment failed before the upload finished');
      if (!payload.destroyed) payload.destroy(error);
      if (!counter.destroyed) counter.destroy(error);
    },
  };
}

async function replicateToPeers(
  run: StartOptions & { deploymentId: string; recorder: DeploymentRecorder },
): Promise<PeerResult[]> {
  const { context, options, recorder, deploymentId } = run;
  const peers = listPeers(context.server);
  if (peers.length === 0) return [];

  const httpPort = ownHttpPort(context.server);
  recorder.emit('phase', { phase: 'replicate', status: 'start', message: `${peers.length} peers` });
  await recorder.checkpoint();
  // From here the row is written only at checkpoints and at the end, so peers never see an
  // older intermediate row arrive after a newer one.
  recorder.seal();

  const operation = stripForReplication({
    operation: 'deploy_component',
    _deploymentId: deploymentId,
    project: options.project,
    restart: options.restart,
    install_command: options.installCommand ?? undefined,
    install_timeout: options.installTimeoutMs ?? undefined,
    install_allow_scripts: options.installAllowScripts,
  });
  const sendTo = async (targets: Array<{ name: string; url: string }>) => {
    const transport = createHttpTransport({
      peers: () => targets,
      peerUrl: (peer: { name: string; url: string }) => peerHttpUrl(peer, httpPort),
      headers: () => (run.authorization ? { authorization: run.authorization } : {}),
      answerTimeoutMs: context.settings.peerAnswerTimeoutMs,
      idleTimeoutMs: context.settings.peerIdleTimeoutMs,
    });
    const replicateOperation = createReplicateOperation({
      transport,
      answerTimeoutMs: context.settings.peerAnswerTimeoutMs,
      onWarning: (message: unknown) =>
        context.logger.warn(`deployment ${deploymentId}: ${String(message)}`),
    });
    return replicateOperation(operation, {
      // recordPeers emits a peer event for each new or changed result, so the stream shows each
      // peer as it settles.
      onPeerResult: (result: unknown) => {
        recorder.recordPeers(toPeerResults([result]));
      },
    });
  };

  const response = await sendTo(peers);
  let message = response.message;
  let results = toPeerResults(response.replicated) as PeerResult[];
  recorder.recordPeers(results);
  const unread = results.filter(
    (result) => result.status === 'failed' && PAYLOAD_READ_CODES.has(result.error?.code ?? ''),
  );
  if (unread.length > 0) {
    // A peer that restarts while its blob arrives can keep a truncated copy that replication does
    // not complete. A put of the row with its blob sends the blob to every peer again.
    const names = unread.map((result) => result.node);
    recorder.emit('warning', {
      message: `sending the payload again to ${names.join(', ')} after their read failed`,
      nodes: names,
    });
    const table = harper().databases.deploy?.hdb_deployment as HarperTable<DeploymentRow>;
    await table.put(deploymentId, recorder.row);
    const retried = await sendTo(peers.filter((peer) => names.includes(peer.name)));
    const retriedResults = toPeerResults(retried.replicated) as PeerResult[];
    recorder.recordPeers(retriedResults);
    results = results.map(
      (result) => retriedResults.find((entry) => entry.node === result.node) ?? result,
    );
    message = summarizeReplication(results).message;
  }
  const failed = results.filter((result) => result.status === 'failed');
  recorder.emit('phase', {
    phase: 'replicate',
    status: failed.length ? 'error' : 'done',
    message,
  });
  return results;
}

async function restartAndFinish(
  run: StartOptions & { deploymentId: string; recorder: DeploymentRecorder },
  state: { swap: SwapResult; startedAt: number; preparedAt: number; peerResults: PeerResult[] },
): Promise<OriginSettlement> {
  const { context, options, recorder, deploymentId } = run;
  const peers = listPeers(context.server);
  const httpPort = ownHttpPort(context.server);
  const headers: Record<string, string> = run.authorization
    ? { authorization: run.authorization }
    : {};
  let peerResults = state.peerResults;

  if (options.restart !== 'none') {
    recorder.emit('phase', {
      phase: 'restart',
      status: 'start',
      message: `${options.restart} restart`,
    });
    const restartPeer = async (result: PeerResult): Promise<PeerResult> => {
      if (result.status !== 'success') return result;
      const peer = peers.find((candidate) => candidate.name === result.node);
      if (!peer) return result;
      const baseUrl = peerHttpUrl(peer, httpPort);
      try {
        await requestPeerRestart(baseUrl, deploymentId, headers, PEER_RESTART_REQUEST_TIMEOUT_MS);
        const outcome = await waitForPeerOutcome(
          baseUrl,
          deploymentId,
          headers,
          context.settings.restartTimeoutMs,
        );
        return { ...outcome };
      } catch (error) {
        return {
          node: result.node,
          status: 'failed',
          error: { message: (error as Error).message, code: 'RESTART_FAILED' },
          started_at: result.started_at,
          completed_at: Date.now(),
        };
      }
    };
    const restartAndRecord = async (result: PeerResult): Promise<PeerResult> => {
      const restartedResult = await restartPeer(result);
      recorder.recordPeers([restartedResult]);
      return restartedResult;
    };
    const restarted: PeerResult[] = [];
    if (options.restart === 'rolling') {
      for (const result of peerResults) restarted.push(await restartAndRecord(result));
    } else {
      restarted.push(...(await Promise.all(peerResults.map(restartAndRecord))));
    }
    peerResults = restarted;
  }

  const summary = summarizeReplication(peerResults, {
    ignoreReplicationErrors: options.ignoreReplicationErrors,
    peersConfigured: peers.length,
  });
  const failedPhase = failurePhase(peerResults);
  for (const warning of summary.warnings) recorder.emit('warning', { message: warning });

  if (options.restart === 'none') {
    await dropBackup(state.swap);
    const originResult: NodeOutcome = {
      node: context.nodeName,
      status: 'success',
      error: null,
      started_at: state.startedAt,
      completed_at: Date.now(),
    };
    recorder.recordPeers([{ ...originResult, origin: true }]);
    return finishWithSummary(run, summary, peerResults, failedPhase);
  }

  // The origin restarts last. Its new worker finishes the row (see lifecycle/restart.ts).
  await writePendingRestart(context.store, {
    deployment_id: deploymentId,
    project: options.project,
    role: 'origin',
    node: context.nodeName,
    swap: state.swap,
    started_at: state.startedAt,
    requested_at: Date.now(),
    ignore_replication_errors: options.ignoreReplicationErrors,
    peers_configured: peers.length,
  });
  await recorder.checkpoint();
  context.logger.info(
    `deployment ${deploymentId}: restarting this node's workers to load ${options.project}`,
  );
  await requestWorkerRestart(context.server);
  return {
    status: 'restarting',
    replicated: peerResults,
    handedToRestart: true,
    error: summary.status === 'failed' ? { message: summary.message, ...failedPhase } : null,
    httpStatus: summary.status === 'failed' ? 502 : 202,
  };
}

async function finishWithSummary(
  run: { recorder: DeploymentRecorder; context: NodeContext; deploymentId: string },
  summary: { status: 'success' | 'failed'; message: string; failedNodes: string[] },
  peerResults: PeerResult[],
  failedPhase: { code: string; phase: string },
): Promise<OriginSettlement> {
  const { recorder } = run;
  if (summary.status === 'failed') {
    const error = { message: summary.message, ...failedPhase };
    await recorder.fail(error);
    return {
      status: 'failed',
      replicated: peerResults,
      handedToRestart: false,
      error,
      httpStatus: 502,
    };
  }
  await recorder.finish({ status: 'success' });
  run.context.logger.info(`deployment ${run.deploymentId} succeeded`);
  return {
    status: 'success',
    replicated: peerResults,
    handedToRestart: false,
    error: null,
    httpStatus: 200,
  };
}

/** Names the phase where peers failed: a failure during or after their restart is not a replication failure. */
export function failurePhase(peerResults: readonly PeerResult[]): { code: string; phase: string } {
  const restartCodes = new Set(['RESTART_FAILED', 'LOAD_FAILED']);
  const failedInRestart = peerResults.some(
    (result) => result.status === 'failed' && restartCodes.has(result.error?.code ?? ''),
  );
  return failedInRestart
    ? { code: 'RESTART_FAILED', phase: 'restart' }
    : { code: 'REPLICATION_FAILED', phase: 'replicate' };
}
