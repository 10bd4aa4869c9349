import { messageOf } from './errors.js';
import type { PeerError, PeerReplicationResult } from './types.js';

/** Code of a failure that the peer reported without a code of its own. */
export const PEER_FAILED_CODE = 'PEER_FAILED';

/** Measured times used when an entry does not report its own, in ms since the Unix epoch. */
export interface MeasuredTimes {
  started_at: number;
  completed_at: number;
}

type EntryRecord = Record<string, unknown>;

/**
 * Converts the `replicated` entries of a replication response into peer results.
 *
 * It accepts this package's results, the result object of a `/deploy_peer` response and the
 * entries of Harper's native `replicateOperation`:
 * - node: `node`, else `name`, else "unnamed peer N" (N counts from 1).
 * - failed: `status` is "failed" or "error", or the entry has a non-null `error` or a `reason`
 *   (Harper's native entry for a rejected send is `{node, status: 'failed', reason}`).
 * - error: `error.message` and `error.code`, a string `error`, `reason`, then `message`. The
 *   code defaults to {@link PEER_FAILED_CODE}.
 * - times: `started_at` and `completed_at` as epoch milliseconds or date strings, else the
 *   measured times, which default to now.
 * - result: `result` when present. Otherwise a successful entry is its own result, because
 *   Harper's native entry is the peer's operation response with `node` added.
 */
export function toPeerResults(
  replicated: readonly unknown[],
  measured?: Partial<MeasuredTimes>,
): PeerReplicationResult[] {
  const now = Date.now();
  const times: MeasuredTimes = {
    started_at: measured?.started_at ?? now,
    completed_at: measured?.completed_at ?? now,
  };
  return replicated.map((entry, index) =>
    toPeerResult(entry, nodeNameOf(entry) ?? `unnamed peer ${index + 1}`, times),
  );
}

/** Converts one entry as {@link toPeerResults} does, with the node name given by the caller. */
export function toPeerResult(
  entry: unknown,
  node: string,
  measured: MeasuredTimes,
): PeerReplicationResult {
  if (!isRecord(entry)) {
    const result: PeerReplicationResult = { node, status: 'success', error: null, ...measured };
    if (entry !== undefined) result.result = entry;
    return result;
  }

  const failed = isFailure(entry);
  const result: PeerReplicationResult = {
    node,
    status: failed ? 'failed' : 'success',
    error: failed ? peerErrorOf(entry) : null,
    started_at: epochMsOf(entry.started_at) ?? measured.started_at,
    completed_at: epochMsOf(entry.completed_at) ?? measured.completed_at,
  };
  if (Object.hasOwn(entry, 'result')) result.result = entry.result;
  else if (!failed) result.result = entry;
  return result;
}

/** Returns the node name that an entry reports in `node` or `name`. */
export function nodeNameOf(entry: unknown): string | undefined {
  if (!isRecord(entry)) return undefined;
  if (typeof entry.node === 'string' && entry.node !== '') return entry.node;
  if (typeof entry.name === 'string' && entry.name !== '') return entry.name;
  return undefined;
}

function isFailure(entry: EntryRecord): boolean {
  if (entry.status === 'failed' || entry.status === 'error') return true;
  if (entry.error !== undefined && entry.error !== null && entry.error !== false) return true;
  return entry.reason !== undefined && entry.reason !== null;
}

function peerErrorOf(entry: EntryRecord): PeerError {
  const { error, reason } = entry;
  const entryCode = typeof entry.code === 'string' ? entry.code : undefined;

  if (isRecord(error)) {
    return {
      message: typeof error.message === 'string' ? error.message : messageOf(error),
      code: typeof error.code === 'string' ? error.code : (entryCode ?? PEER_FAILED_CODE),
    };
  }
  if (typeof error === 'string') return { message: error, code: entryCode ?? PEER_FAILED_CODE };
  if (reason !== undefined && reason !== null) {
    return { message: messageOf(reason), code: entryCode ?? PEER_FAILED_CODE };
  }
  if (typeof entry.message === 'string') {
    return { message: entry.message, code: entryCode ?? PEER_FAILED_CODE };
  }
  return { message: 'peer reported a failure without a message', code: PEER_FAILED_CODE };
}

function epochMsOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function isRecord(value: unknown): value is EntryRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
