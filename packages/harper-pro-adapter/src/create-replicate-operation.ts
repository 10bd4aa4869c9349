import { assertReplicable } from './assert-replicable.js';
import {
  CallbackFailedError,
  InvalidTimeoutError,
  messageOf,
  NativeReplicationFailedError,
  PeerAnswerTimeoutError,
  PeerListFailedError,
  PeerMissingFromResultError,
} from './errors.js';
import { nodeNameOf, PEER_FAILED_CODE, toPeerResult } from './to-peer-results.js';
import type {
  BroadcastTransport,
  Peer,
  PeerError,
  PeerReplicationResult,
  PeerSendOptions,
  PeerTransport,
  ReplicableOperation,
  ReplicateResponse,
  ReplicationTransport,
} from './types.js';

/**
 * Maximum time in milliseconds until a peer responds. For a transport that does not report an
 * early response through `onAnswer`, the response is the peer's result, which includes waiting
 * for the payload, the install and the load check.
 */
// NOTE: 30 minutes is a chosen ceiling for such transports, not a measured one. Raise it for
// installs that run longer, or pass Infinity to rely on the transport's own timeouts.
export const DEFAULT_ANSWER_TIMEOUT_MS = 30 * 60_000;

export interface CreateReplicateOperationOptions {
  transport: ReplicationTransport;
  /**
   * Maximum time in milliseconds until a peer responds. It ends when the transport calls
   * `onAnswer` (the HTTP transport does on response headers), else at the peer's result.
   * Infinity disables the limit.
   */
  answerTimeoutMs?: number;
  /** Receives errors that were ignored, such as an `onPeerResult` callback that threw. */
  onWarning?: (warning: Error) => void;
}

export interface ReplicateCallOptions {
  /** Called once per peer as soon as its result is known. Errors it throws are ignored. */
  onPeerResult?: (result: PeerReplicationResult) => void;
  /** Aborts every pending peer, which is then recorded as failed with the abort reason. */
  signal?: AbortSignal;
}

/**
 * Sends `request` to every peer. The request is typed as any object, so that interfaces
 * without an index signature fit, and `assertReplicable` checks it at run time.
 */
export type ReplicateOperation = (
  request: object,
  options?: ReplicateCallOptions,
) => Promise<ReplicateResponse>;

/**
 * Creates `replicateOperation`, which sends an operation to every peer in parallel and
 * resolves with one result per peer, in peer order.
 *
 * A peer that fails, times out or throws becomes a failed entry with its reason, so the
 * promise never rejects because of one peer. It rejects only when the operation fails
 * {@link assertReplicable} or the peer list cannot be read ({@link PeerListFailedError}).
 */
export function createReplicateOperation(
  options: CreateReplicateOperationOptions,
): ReplicateOperation {
  const { transport, onWarning } = options;
  const answerTimeoutMs = options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  if (
    typeof answerTimeoutMs !== 'number' ||
    Number.isNaN(answerTimeoutMs) ||
    answerTimeoutMs <= 0
  ) {
    throw new InvalidTimeoutError('answerTimeoutMs', answerTimeoutMs, 'a positive number');
  }

  const warn = (warning: Error): void => {
    try {
      onWarning?.(warning);
    } catch {
      // A failing warning handler has nowhere left to report to.
    }
  };

  return async function replicateOperation(request, callOptions = {}) {
    assertReplicable(request);
    const context: ReplicationContext = {
      operation: request,
      answerTimeoutMs,
      signal: callOptions.signal,
      report: (result) => reportPeerResult(result, callOptions.onPeerResult, warn),
    };

    if ('broadcast' in transport) {
      const { replicated, failure } = await replicateByBroadcast(transport, context);
      // Without a peer list, a failed broadcast leaves no entry to carry the reason.
      if (failure && replicated.length === 0) {
        warn(failure);
        return { message: failure.message, replicated };
      }
      return { message: describeOutcome(replicated), replicated };
    }

    const replicated = await replicateToEachPeer(transport, context);
    return { message: describeOutcome(replicated), replicated };
  };
}

interface ReplicationContext {
  operation: ReplicableOperation;
  answerTimeoutMs: number;
  signal: AbortSignal | undefined;
  report: (result: PeerReplicationResult) => void;
}

async function replicateToEachPeer(
  transport: PeerTransport,
  context: ReplicationContext,
): Promise<PeerReplicationResult[]> {
  const peers = await listPeers(() => transport.listPeers());

  return Promise.all(
    peers.map(async (peer) => {
      const startedAt = Date.now();
      let result: PeerReplicationResult;
      try {
        const answer = await withDeadline(
          (sendOptions) => transport.send(peer, context.operation, sendOptions),
          peer.name,
          context,
        );
        result = toPeerResult(answer, peer.name, {
          started_at: startedAt,
          completed_at: Date.now(),
        });
      } catch (error) {
        result = failedResult(peer.name, error, startedAt);
      }
      context.report(result);
      return result;
    }),
  );
}

interface BroadcastOutcome {
  replicated: PeerReplicationResult[];
  /** Error that made the broadcast call fail as a whole. */
  failure?: Error;
}

async function replicateByBroadcast(
  transport: BroadcastTransport,
  context: ReplicationContext,
): Promise<BroadcastOutcome> {
  const peers = transport.listPeers ? await listPeers(() => transport.listPeers?.() ?? []) : null;
  const startedAt = Date.now();

  let entries: unknown[];
  try {
    entries = await withDeadline(
      (sendOptions) => transport.broadcast(context.operation, sendOptions),
      peers === null ? 'any peer' : peers.map((peer) => peer.name).join(', '),
      context,
    );
  } catch (error) {
    const failure =
      error instanceof PeerAnswerTimeoutError || isAbortReason(error, context.signal)
        ? toError(error)
        : new NativeReplicationFailedError(error);
    const results = (peers ?? []).map((peer) => failedResult(peer.name, failure, startedAt));
    for (const result of results) context.report(result);
    return { replicated: results, failure };
  }

  const measured = { started_at: startedAt, completed_at: Date.now() };
  const results = matchEntriesToPeers(Array.isArray(entries) ? entries : [], peers).map(
    ({ name, entry, missing }) =>
      missing
        ? failedResult(name, new PeerMissingFromResultError(name), startedAt)
        : toPeerResult(entry, name, measured),
  );
  for (const result of results) context.report(result);
  return { replicated: results };
}

interface MatchedEntry {
  name: string;
  entry: unknown;
  missing: boolean;
}

/**
 * Pairs native entries with listed peers by node name, in peer order. Entries for nodes that
 * are not listed follow in their own order, because those nodes received the operation too.
 */
function matchEntriesToPeers(entries: unknown[], peers: Peer[] | null): MatchedEntry[] {
  const named = entries.map((entry, index) => ({
    name: nodeNameOf(entry) ?? `unnamed peer ${index + 1}`,
    entry,
    missing: false,
  }));
  if (peers === null) return named;

  const byName = new Map(named.map((item) => [item.name, item]));
  const matched: MatchedEntry[] = peers.map(
    (peer) => byName.get(peer.name) ?? { name: peer.name, entry: undefined, missing: true },
  );
  const listedNames = new Set(peers.map((peer) => peer.name));
  return [...matched, ...named.filter((item) => !listedNames.has(item.name))];
}

async function listPeers(list: () => Peer[] | Promise<Peer[]>): Promise<Peer[]> {
  let peers: Peer[];
  try {
    peers = await list();
  } catch (error) {
    throw new PeerListFailedError(error);
  }
  if (!Array.isArray(peers)) {
    throw new PeerListFailedError(
      new TypeError(`listPeers returned ${typeof peers}, not an array`),
    );
  }
  const unnamedIndex = peers.findIndex(
    (peer) => typeof peer?.name !== 'string' || peer.name === '',
  );
  if (unnamedIndex !== -1) {
    throw new PeerListFailedError(new TypeError(`peer at index ${unnamedIndex} has no name`));
  }
  return peers;
}

/**
 * Runs `send` with a signal that aborts on the caller's signal, or after answerTimeoutMs
 * unless the transport calls `onAnswer` first. It rejects at that moment even if the
 * transport ignores the signal.
 */
async function withDeadline<T>(
  send: (options: PeerSendOptions) => Promise<T>,
  peerName: string,
  context: ReplicationContext,
): Promise<T> {
  const controller = new AbortController();
  const { answerTimeoutMs, signal: callerSignal } = context;

  const abortWithCallerReason = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) abortWithCallerReason();
  else callerSignal?.addEventListener('abort', abortWithCallerReason, { once: true });

  const timer = Number.isFinite(answerTimeoutMs)
    ? setTimeout(() => {
        controller.abort(new PeerAnswerTimeoutError(peerName, answerTimeoutMs));
      }, answerTimeoutMs)
    : undefined;

  const aborted = new Promise<never>((_resolve, reject) => {
    const rejectWithReason = (): void => reject(controller.signal.reason);
    if (controller.signal.aborted) rejectWithReason();
    else controller.signal.addEventListener('abort', rejectWithReason, { once: true });
  });

  try {
    const onAnswer = (): void => clearTimeout(timer);
    const sending = Promise.resolve().then(() => send({ signal: controller.signal, onAnswer }));
    return await Promise.race([sending, aborted]);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', abortWithCallerReason);
    // Settles the race's loser so that a rejection of `aborted` is never unhandled.
    aborted.catch(() => {});
  }
}

function failedResult(node: string, error: unknown, startedAt: number): PeerReplicationResult {
  return {
    node,
    status: 'failed',
    error: toPeerError(error),
    started_at: startedAt,
    completed_at: Date.now(),
  };
}

function toPeerError(error: unknown): PeerError {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return { message: messageOf(error), code };
  if (error instanceof Error && error.name === 'AbortError') {
    return { message: error.message, code: 'ABORTED' };
  }
  return { message: messageOf(error), code: PEER_FAILED_CODE };
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(messageOf(value), { cause: value });
}

function isAbortReason(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && error === signal.reason;
}

function reportPeerResult(
  result: PeerReplicationResult,
  onPeerResult: ((result: PeerReplicationResult) => void) | undefined,
  warn: (warning: Error) => void,
): void {
  if (!onPeerResult) return;
  try {
    const returned: unknown = onPeerResult(result);
    if (returned instanceof Promise) {
      returned.catch((error: unknown) => {
        warn(new CallbackFailedError('onPeerResult', result.node, error));
      });
    }
  } catch (error) {
    warn(new CallbackFailedError('onPeerResult', result.node, error));
  }
}

function describeOutcome(results: PeerReplicationResult[]): string {
  if (results.length === 0) return 'no peers to replicate to';
  const failedNodes = results.filter((result) => result.status === 'failed').map((r) => r.node);
  const succeeded = results.length - failedNodes.length;
  const summary = `replicated to ${succeeded} of ${results.length} peers`;
  return failedNodes.length === 0 ? summary : `${summary} (failed: ${failedNodes.join(', ')})`;
}
