import type { PeerError, PeerResult, PeerStatus } from './deployment-row.js';

/** Code given to a peer failure that did not report one. */
export const DEFAULT_PEER_ERROR_CODE = 'PEER_FAILED';

/** Message given to a peer failure that did not report one. */
export const DEFAULT_PEER_ERROR_MESSAGE = 'the peer reported a failure without a message';

/** Node name used when a result names no node and no `fallbackNode` is given. */
export const DEFAULT_FALLBACK_NODE = 'unknown';

/** Options of `normalizePeerResult`. */
export interface NormalizePeerResultOptions {
  /** Clock in epoch ms, used for `completed_at` when the result has none. Defaults to `Date.now`. */
  now?: () => number;
  /** Node name for a result that names no node. Defaults to `DEFAULT_FALLBACK_NODE`. */
  fallbackNode?: string;
}

/** A normalised result and whether its `completed_at` came from the clock. */
export interface NormalizedPeerResult {
  result: PeerResult;
  completedAtFromClock: boolean;
}

const SUCCESS_WORDS = new Set(['success', 'succeeded', 'ok', 'done', 'fulfilled']);
const FAILURE_WORDS = new Set(['failed', 'failure', 'error', 'rejected']);

/**
 * Converts one entry of a replicated operation's result list into a `PeerResult`.
 *
 * - The node name comes from `node`, `name` or `hostname`, else from `fallbackNode`.
 * - A `status` of success, succeeded, ok, done or fulfilled means success, and failed, failure,
 *   error or rejected means failure (any case). Any other status string is a failure that
 *   names the status.
 * - An object without a status is a failure when it has a non-null `error` or `reason`, or
 *   `success: false` or `ok: false`. Otherwise it is a success, because a replicated operation
 *   that succeeds may return only its response body.
 * - `{status: 'fulfilled', value}` and `{status: 'rejected', reason}` from
 *   `Promise.allSettled` are unwrapped.
 * - The error comes from `error`, `reason` or `message`: a string, an Error or an object with
 *   `message` and `code`. A failure without a message gets `DEFAULT_PEER_ERROR_MESSAGE`, and
 *   one without a code gets `DEFAULT_PEER_ERROR_CODE`.
 * - `true` and the strings above are results without a node. `false`, null, undefined, other
 *   strings, numbers and Error instances are failures.
 * - `started_at` and `completed_at` are read from epoch-ms numbers, ISO 8601 strings or Dates.
 *   A missing `started_at` stays null, and a missing `completed_at` becomes `now()`.
 */
export function normalizePeerResult(
  value: unknown,
  options: NormalizePeerResultOptions = {},
): PeerResult {
  return normalizePeerResultWithSource(value, options).result;
}

/** Normalises like `normalizePeerResult` and also returns whether `completed_at` came from the clock. */
export function normalizePeerResultWithSource(
  value: unknown,
  options: NormalizePeerResultOptions = {},
): NormalizedPeerResult {
  const now = options.now ?? Date.now;
  const fallbackNode = options.fallbackNode ?? DEFAULT_FALLBACK_NODE;

  if (!isRecord(value) || value instanceof Error) {
    const outcome = outcomeOfPrimitive(value);
    const node = value instanceof Error ? (readNode(value) ?? fallbackNode) : fallbackNode;
    return {
      result: buildResult(node, outcome, null, now()),
      completedAtFromClock: true,
    };
  }

  const settledStatus = typeof value.status === 'string' ? value.status.toLowerCase() : undefined;
  if (settledStatus === 'fulfilled' && 'value' in value) {
    const inner = normalizePeerResultWithSource(value.value, {
      now,
      fallbackNode: readNode(value) ?? fallbackNode,
    });
    return inner;
  }

  const node = readNode(value) ?? fallbackNode;
  const outcome = outcomeOfRecord(value);
  const startedAt = readTimestamp(value.started_at);
  const completedAt = readTimestamp(value.completed_at);
  const result = buildResult(node, outcome, startedAt, completedAt ?? now());
  if (value.origin === true) {
    result.origin = true;
  }
  return { result, completedAtFromClock: completedAt === null };
}

interface Outcome {
  status: PeerStatus;
  error: PeerError | null;
}

function buildResult(
  node: string,
  outcome: Outcome,
  startedAt: number | null,
  completedAt: number,
): PeerResult {
  return {
    node,
    status: outcome.status,
    error: outcome.error,
    started_at: startedAt,
    completed_at: completedAt,
  };
}

function outcomeOfPrimitive(value: unknown): Outcome {
  if (value === true) {
    return { status: 'success', error: null };
  }
  if (value instanceof Error) {
    return { status: 'failed', error: readError(value) };
  }
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (SUCCESS_WORDS.has(word)) {
      return { status: 'success', error: null };
    }
    if (FAILURE_WORDS.has(word) || word === '') {
      return { status: 'failed', error: readError(undefined) };
    }
    return { status: 'failed', error: { message: value, code: DEFAULT_PEER_ERROR_CODE } };
  }
  if (value === null || value === undefined) {
    return {
      status: 'failed',
      error: { message: 'the peer returned no result', code: DEFAULT_PEER_ERROR_CODE },
    };
  }
  if (value === false) {
    return { status: 'failed', error: readError(undefined) };
  }
  return {
    status: 'failed',
    error: {
      message: `the peer returned an unrecognized result: ${String(value)}`,
      code: DEFAULT_PEER_ERROR_CODE,
    },
  };
}

function outcomeOfRecord(value: Record<string, unknown>): Outcome {
  const errorSource = firstPresent(value.error, value.reason);
  const status = typeof value.status === 'string' ? value.status.trim().toLowerCase() : undefined;

  if (status !== undefined && SUCCESS_WORDS.has(status)) {
    return { status: 'success', error: null };
  }
  if (status !== undefined && FAILURE_WORDS.has(status)) {
    return { status: 'failed', error: readError(firstPresent(errorSource, value.message)) };
  }
  if (status !== undefined) {
    const reported = readError(firstPresent(errorSource, value.message));
    const message =
      reported.message === DEFAULT_PEER_ERROR_MESSAGE
        ? `the peer reported an unrecognized status: ${String(value.status)}`
        : reported.message;
    return { status: 'failed', error: { message, code: reported.code } };
  }

  // NOTE: treating a bare response body as success assumes that a replicated operation reports
  // failures with a status, error or reason. That assumption is not checked against Harper.
  const reportsFailure = errorSource !== undefined || value.success === false || value.ok === false;
  if (reportsFailure) {
    return { status: 'failed', error: readError(firstPresent(errorSource, value.message)) };
  }
  return { status: 'success', error: null };
}

function readError(source: unknown): PeerError {
  if (typeof source === 'string') {
    return {
      message: nonEmpty(source) ?? DEFAULT_PEER_ERROR_MESSAGE,
      code: DEFAULT_PEER_ERROR_CODE,
    };
  }
  if (isRecord(source)) {
    const message = typeof source.message === 'string' ? nonEmpty(source.message) : undefined;
    return {
      message: message ?? DEFAULT_PEER_ERROR_MESSAGE,
      code: readCode(source.code) ?? DEFAULT_PEER_ERROR_CODE,
    };
  }
  return { message: DEFAULT_PEER_ERROR_MESSAGE, code: DEFAULT_PEER_ERROR_CODE };
}

function readCode(code: unknown): string | undefined {
  if (typeof code === 'string') {
    return nonEmpty(code);
  }
  if (typeof code === 'number' && Number.isFinite(code)) {
    return String(code);
  }
  return undefined;
}

function readNode(value: object): string | undefined {
  const record = value as Record<string, unknown>;
  for (const key of ['node', 'name', 'hostname']) {
    const candidate = record[key];
    if (typeof candidate === 'string' && candidate.trim() !== '') {
      return candidate;
    }
  }
  return undefined;
}

/** Reads epoch ms from a finite number, a parseable date string or a valid Date, else null. */
function readTimestamp(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isFinite(time) ? time : null;
  }
  return null;
}

function firstPresent(...values: unknown[]): unknown {
  return values.find((value) => value !== undefined && value !== null);
}

function nonEmpty(text: string): string | undefined {
  return text.trim() === '' ? undefined : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
