import { EventNotSerializableError, InvalidTimeoutError, messageOf } from './errors.js';
import type { PeerResponseLine, PeerWorkResult } from './peer-protocol.js';

/** Interval in milliseconds between heartbeat lines while the work runs. */
export const DEFAULT_HEARTBEAT_MS = 5_000;

/** Code of a failed result when the work's error has no string `code`. */
export const PEER_WORK_FAILED_CODE = 'PEER_WORK_FAILED';

/** Adds an event line to the response. Calls after the result line are ignored. */
export type EmitPeerEvent = (event: Record<string, unknown>) => void;

export interface PeerResponseOptions {
  /** Interval in milliseconds between heartbeat lines. */
  heartbeatMs?: number;
  /**
   * Subscribes the response to progress events. It is called once, when the response starts,
   * with the function that adds an event line. It may return a function that unsubscribes,
   * which runs when the response ends.
   */
  onEvent?: (emit: EmitPeerEvent) => (() => void) | undefined;
  /** Receives errors that were ignored, such as an event that cannot be sent as JSON. */
  onWarning?: (warning: Error) => void;
}

/**
 * Produces the NDJSON response body of `/deploy_peer`: a heartbeat at once and then every
 * `heartbeatMs` while the work runs, event lines as they are emitted, and one result line.
 * Each string is one line ending in "\n". A work that rejects yields a result with status
 * "failed" and the error's message and code.
 *
 * A function `work` starts at once and receives the emit function. Stopping the generator
 * early, for example when the origin disconnects, stops the heartbeats and unsubscribes,
 * but the work keeps running.
 *
 * @throws InvalidTimeoutError when `heartbeatMs` is not a positive finite number.
 */
export function createPeerResponse(
  work: Promise<unknown> | ((emit: EmitPeerEvent) => Promise<unknown>),
  options: PeerResponseOptions = {},
): AsyncGenerator<string, void, undefined> {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  if (typeof heartbeatMs !== 'number' || !Number.isFinite(heartbeatMs) || heartbeatMs <= 0) {
    throw new InvalidTimeoutError('heartbeatMs', heartbeatMs, 'a finite, positive number');
  }

  const queue = new PeerResponseQueue(options.onWarning);
  const startedAt = Date.now();
  const running =
    typeof work === 'function' ? Promise.resolve().then(() => work(queue.emit)) : work;
  running.then(
    (value) => queue.finish(successLine(startedAt, value)),
    (error: unknown) => queue.finish(failureLine(startedAt, error)),
  );

  return queue.lines(heartbeatMs, options.onEvent);
}

/** Queue of response lines that the work fills and the generator drains. */
class PeerResponseQueue {
  #queue: string[] = [];
  readonly #onWarning: ((warning: Error) => void) | undefined;
  #resultLine: string | null = null;
  #wakeUp: (() => void) | null = null;

  constructor(onWarning: ((warning: Error) => void) | undefined) {
    this.#onWarning = onWarning;
  }

  readonly emit: EmitPeerEvent = (event) => {
    if (this.#resultLine !== null) return;
    let line: string;
    try {
      line = toLine({ type: 'event', event });
    } catch (error) {
      this.#warn(new EventNotSerializableError(event, error));
      return;
    }
    this.#queue.push(line);
    this.#notify();
  };

  finish(resultLine: string): void {
    this.#resultLine = resultLine;
    // Waiting heartbeats would only delay the result. Events stay, because they happened first.
    this.#queue = this.#queue.filter((line) => line !== HEARTBEAT);
    this.#notify();
  }

  async *lines(
    heartbeatMs: number,
    onEvent: PeerResponseOptions['onEvent'],
  ): AsyncGenerator<string, void, undefined> {
    const unsubscribe = onEvent?.(this.emit);
    const heartbeat = setInterval(() => {
      // A heartbeat only signals that the work is still running, so one queued heartbeat is enough.
      if (this.#queue.length > 0 || this.#resultLine !== null) return;
      this.#queue.push(HEARTBEAT);
      this.#notify();
    }, heartbeatMs);

    try {
      yield HEARTBEAT;
      for (;;) {
        const next = this.#queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.#resultLine !== null) {
          yield this.#resultLine;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wakeUp = resolve;
        });
      }
    } finally {
      clearInterval(heartbeat);
      if (typeof unsubscribe === 'function') unsubscribe();
    }
  }

  #notify(): void {
    const resume = this.#wakeUp;
    this.#wakeUp = null;
    resume?.();
  }

  #warn(warning: Error): void {
    try {
      this.#onWarning?.(warning);
    } catch {
      // A failing warning handler has nowhere left to report to.
    }
  }
}

const HEARTBEAT = toLine({ type: 'heartbeat' });

/** Reads an epoch-ms time the work reported about itself, such as a replayed run's times. */
function reportedTime(value: unknown, key: 'started_at' | 'completed_at'): number | undefined {
  const time = (value as Record<string, unknown> | null | undefined)?.[key];
  return typeof time === 'number' && Number.isFinite(time) ? time : undefined;
}

function successLine(startedAt: number, value: unknown): string {
  // A result that carries its own times wins, because a peer that receives a replayed operation
  // returns the first run's outcome, whose times describe the real install.
  const result: PeerWorkResult = {
    status: 'success',
    started_at: reportedTime(value, 'started_at') ?? startedAt,
    completed_at: reportedTime(value, 'completed_at') ?? Date.now(),
  };
  if (value !== undefined) result.result = value;
  try {
    return toLine({ type: 'result', result });
  } catch (error) {
    const message = `the work's result cannot be sent as JSON: ${messageOf(error)}`;
    return failureLine(startedAt, { message, code: 'RESULT_NOT_SERIALIZABLE' });
  }
}

function failureLine(startedAt: number, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const result: PeerWorkResult = {
    status: 'failed',
    started_at: startedAt,
    completed_at: Date.now(),
    error: {
      message: messageOf(error),
      code: typeof code === 'string' && code !== '' ? code : PEER_WORK_FAILED_CODE,
    },
  };
  return toLine({ type: 'result', result });
}

function toLine(line: PeerResponseLine): string {
  return `${JSON.stringify(line)}\n`;
}
