import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPeerResponse } from './create-peer-response.js';
import { EventNotSerializableError, InvalidTimeoutError } from './errors.js';

const HEARTBEAT_MS = 1_000;

function defer<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Reads lines until the generator ends, advancing fake time between reads. */
async function collect(lines: AsyncGenerator<string>, stepMs = HEARTBEAT_MS): Promise<unknown[]> {
  const parsed: unknown[] = [];
  for (;;) {
    const next = lines.next();
    let settled = false;
    void next.then(() => {
      settled = true;
    });
    while (!settled) await vi.advanceTimersByTimeAsync(stepMs);
    const { value, done } = await next;
    if (done) return parsed;
    parsed.push(JSON.parse(value));
  }
}

describe('createPeerResponse', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 10_000 });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts with a heartbeat', async () => {
    const lines = createPeerResponse(new Promise(() => {}), { heartbeatMs: HEARTBEAT_MS });

    const first = await lines.next();

    expect(first.value).toBe('{"type":"heartbeat"}\n');
    await lines.return();
  });

  it('sends heartbeats until the result', async () => {
    const work = defer<unknown>();
    setTimeout(() => work.resolve({ message: 'deployed' }), 3_500);

    const lines = await collect(createPeerResponse(work.promise, { heartbeatMs: HEARTBEAT_MS }));

    expect(lines.slice(0, 4)).toEqual([
      { type: 'heartbeat' },
      { type: 'heartbeat' },
      { type: 'heartbeat' },
      { type: 'heartbeat' },
    ]);
    expect(lines[4]).toEqual({
      type: 'result',
      result: {
        status: 'success',
        started_at: 10_000,
        completed_at: 13_500,
        result: { message: 'deployed' },
      },
    });
    expect(lines).toHaveLength(5);
  });

  it('turns rejection into failed result', async () => {
    const failure = Object.assign(new Error('install failed'), { code: 'INSTALL_FAILED' });

    const lines = await collect(createPeerResponse(Promise.reject(failure)));

    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      result: { status: 'failed', error: { message: 'install failed', code: 'INSTALL_FAILED' } },
    });
  });

  it('keeps the times a result reports', async () => {
    const lines = await collect(
      createPeerResponse(Promise.resolve({ started_at: 5, completed_at: 7 })),
    );

    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      result: { status: 'success', started_at: 5, completed_at: 7 },
    });
  });

  it('measures the times of a result without them', async () => {
    const lines = await collect(createPeerResponse(Promise.resolve({ node: 'b' })));

    expect(lines.at(-1)).toMatchObject({ result: { started_at: 10_000 } });
  });

  it('uses a default code for an error without one', async () => {
    const lines = await collect(createPeerResponse(Promise.reject(new Error('boom'))));

    expect(lines.at(-1)).toMatchObject({
      result: { error: { message: 'boom', code: 'PEER_WORK_FAILED' } },
    });
  });

  it('sends events emitted by a work function', async () => {
    const lines = await collect(
      createPeerResponse(async (emit) => {
        emit({ kind: 'install', line: 'added 3 packages' });
        return 'done';
      }),
    );

    expect(lines).toContainEqual({
      type: 'event',
      event: { kind: 'install', line: 'added 3 packages' },
    });
  });

  it('sends onEvent events and unsubscribes', async () => {
    const unsubscribe = vi.fn();
    const work = defer<unknown>();

    const lines = await collect(
      createPeerResponse(work.promise, {
        onEvent: (emit) => {
          setTimeout(() => {
            emit({ kind: 'phase', phase: 'install' });
            work.resolve(undefined);
          }, 100);
          return unsubscribe;
        },
      }),
      50,
    );

    expect(lines[1]).toEqual({ type: 'event', event: { kind: 'phase', phase: 'install' } });
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('stops heartbeats when the consumer stops early', async () => {
    const lines = createPeerResponse(new Promise(() => {}), { heartbeatMs: HEARTBEAT_MS });

    await lines.next();
    await lines.return();

    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops and reports an unserializable event', async () => {
    const warnings: Error[] = [];
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    const lines = await collect(
      createPeerResponse(
        async (emit) => {
          emit(circular);
        },
        { onWarning: (warning) => warnings.push(warning) },
      ),
    );

    expect(warnings[0]).toBeInstanceOf(EventNotSerializableError);
    expect(lines.some((line) => (line as { type: string }).type === 'event')).toBe(false);
  });

  it('fails a result that cannot be sent as JSON', async () => {
    const lines = await collect(createPeerResponse(Promise.resolve({ size: 10n })));

    expect(lines.at(-1)).toMatchObject({
      result: { status: 'failed', error: { code: 'RESULT_NOT_SERIALIZABLE' } },
    });
  });

  it.each([0, -5, Number.NaN])('rejects heartbeatMs %s', (heartbeatMs) => {
    expect(() => createPeerResponse(Promise.resolve(), { heartbeatMs })).toThrow(
      InvalidTimeoutError,
    );
  });
});
