// Server-Sent Events for deployments: replay of the event log, then live events, heartbeats, and
// one final `done` or `error` event carrying the result.
import type { DeploymentEventEntry, DeploymentRow } from './row-types.js';

export interface FinalEvent {
  event: 'done' | 'error';
  data: Record<string, unknown>;
}

/** Formats one SSE event. Multi-line data cannot occur because the data is one line of JSON. */
export function formatEvent(id: number | null, event: string, data: unknown): string {
  const idLine = id === null ? '' : `id: ${id}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function formatEntry(entry: DeploymentEventEntry): string {
  const data =
    entry.data && typeof entry.data === 'object'
      ? { ...entry.data, t: entry.t }
      : { value: entry.data, t: entry.t };
  return formatEvent(entry.id, entry.event, data);
}

/** Builds the final event of a stream from a terminal row. */
export function finalEvent(
  result: Record<string, unknown> & { status: string; error?: unknown },
): FinalEvent {
  if (result.status === 'success') return { event: 'done', data: { result } };
  const error = (result.error ?? {}) as { message?: string; code?: string; phase?: string };
  return {
    event: 'error',
    data: {
      message: error.message ?? `deployment ended ${result.status}`,
      code: error.code ?? 'DEPLOY_FAILED',
      phase: error.phase ?? null,
      result,
    },
  };
}

/** A source of events for one stream: the entries after `afterId`, and whether the row is final. */
export interface EventSource {
  /** Waits for entries newer than `afterId`, or for the deadline; returns what it has. */
  next(
    afterId: number,
    signal: AbortSignal,
  ): Promise<{ entries: DeploymentEventEntry[]; final: FinalEvent | null }>;
}

export interface StreamOptions {
  lastEventId: number;
  heartbeatMs: number;
  maxDurationMs: number;
  /** Called when the client goes away, so the source can drop its listeners. */
  signal: AbortSignal;
}

/**
 * Produces the SSE body. The first chunk is a comment, so clients see the stream start at once.
 * Heartbeats are comments too, so they carry no id and leave Last-Event-ID unchanged.
 */
export async function* sseStream(
  source: EventSource,
  options: StreamOptions,
): AsyncGenerator<string> {
  yield ': deployment stream\n\n';
  let lastId = options.lastEventId;
  const deadline = Date.now() + options.maxDurationMs;
  while (!options.signal.aborted) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      yield formatEvent(null, 'error', {
        message: `the stream reached its maximum duration of ${options.maxDurationMs} ms before the deployment finished: reconnect to follow it`,
        code: 'STREAM_DEADLINE',
        phase: null,
      });
      return;
    }
    const wait = new AbortController();
    const timer = setTimeout(() => wait.abort(), Math.min(options.heartbeatMs, remaining));
    const onAbort = (): void => wait.abort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    let batch: Awaited<ReturnType<EventSource['next']>>;
    try {
      batch = await source.next(lastId, wait.signal);
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
    }
    for (const entry of batch.entries) {
      if (entry.id <= lastId) continue;
      lastId = entry.id;
      yield formatEntry(entry);
    }
    if (batch.final) {
      yield formatEvent(null, batch.final.event, batch.final.data);
      return;
    }
    if (batch.entries.length === 0) yield ': ping\n\n';
  }
}

/** Returns the entries of a log newer than `afterId`. */
export function entriesAfter(
  row: Pick<DeploymentRow, 'event_log'>,
  afterId: number,
): DeploymentEventEntry[] {
  return (row.event_log ?? []).filter((entry) => entry.id > afterId);
}
