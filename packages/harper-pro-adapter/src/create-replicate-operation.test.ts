import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReplicateOperation } from './create-replicate-operation.js';
import {
  CallbackFailedError,
  InvalidTimeoutError,
  PayloadInOperationError,
  PeerListFailedError,
} from './errors.js';
import type { Peer, PeerReplicationResult, PeerSendOptions, PeerTransport } from './types.js';

const operation = { operation: 'deploy_component', _deploymentId: 'dep-1', project: 'shop' };
const peerA: Peer = { name: 'node-a', url: 'http://127.0.0.1:1' };
const peerB: Peer = { name: 'node-b', url: 'http://127.0.0.1:2' };

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

function defer<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface SendCall {
  peer: Peer;
  operation: Record<string, unknown>;
  signal: AbortSignal;
  onAnswer: (() => void) | undefined;
  answer: Deferred<unknown>;
}

/** In-memory transport whose sends stay pending until the test settles them. */
function createControlledTransport(peers: Peer[]) {
  const calls: SendCall[] = [];
  const transport: PeerTransport = {
    listPeers: () => peers,
    send(peer, sentOperation, { signal, onAnswer }: PeerSendOptions) {
      const answer = defer<unknown>();
      calls.push({ peer, operation: sentOperation, signal, onAnswer, answer });
      return answer.promise;
    },
  };
  const callFor = (peer: Peer): SendCall => {
    const call = calls.find((candidate) => candidate.peer === peer);
    if (!call) throw new Error(`no send to ${peer.name}`);
    return call;
  };
  return { transport, calls, callFor };
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

describe('createReplicateOperation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends to all peers in parallel', async () => {
    const { transport, calls, callFor } = createControlledTransport([peerA, peerB]);
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation);
    await flushMicrotasks();

    expect(calls.map((call) => call.peer.name)).toEqual(['node-a', 'node-b']);
    callFor(peerA).answer.resolve({ message: 'ok' });
    callFor(peerB).answer.resolve({ message: 'ok' });
    await response;
  });

  it('reports by settling, returns in peer order', async () => {
    const { transport, callFor } = createControlledTransport([peerA, peerB]);
    const reported: string[] = [];
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation, {
      onPeerResult: (result) => reported.push(result.node),
    });
    await flushMicrotasks();
    callFor(peerB).answer.resolve({ message: 'ok' });
    await flushMicrotasks();
    expect(reported).toEqual(['node-b']);
    callFor(peerA).answer.resolve({ message: 'ok' });
    const { replicated } = await response;

    expect(reported).toEqual(['node-b', 'node-a']);
    expect(replicated.map((result) => result.node)).toEqual(['node-a', 'node-b']);
  });

  it('sends the operation itself to each peer', async () => {
    const { transport, calls, callFor } = createControlledTransport([peerA]);
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation);
    await flushMicrotasks();
    callFor(peerA).answer.resolve(undefined);
    await response;

    expect(calls[0]?.operation).toEqual(operation);
  });

  it('one rejecting peer becomes failed', async () => {
    const { transport, callFor } = createControlledTransport([peerA, peerB]);
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation);
    await flushMicrotasks();
    callFor(peerA).answer.resolve({ message: 'ok' });
    callFor(peerB).answer.reject(Object.assign(new Error('install failed'), { code: 'EXIT_1' }));
    const { replicated, message } = await response;

    expect(replicated[1]).toMatchObject({
      node: 'node-b',
      status: 'failed',
      error: { message: 'install failed', code: 'EXIT_1' },
    });
    expect(replicated[0]?.status).toBe('success');
    expect(message).toBe('replicated to 1 of 2 peers (failed: node-b)');
  });

  it('records a synchronous throw as failed', async () => {
    const transport: PeerTransport = {
      listPeers: () => [peerA],
      send() {
        throw new Error('transport not ready');
      },
    };
    const replicate = createReplicateOperation({ transport });

    const { replicated } = await replicate(operation);

    expect(replicated[0]?.error).toEqual({ message: 'transport not ready', code: 'PEER_FAILED' });
  });

  it('records a reported failure as failed', async () => {
    const transport: PeerTransport = {
      listPeers: () => [peerA],
      send: async () => ({
        status: 'failed',
        started_at: 5,
        completed_at: 9,
        error: { message: 'load check failed', code: 'LOAD_FAILED' },
      }),
    };
    const replicate = createReplicateOperation({ transport });

    const { replicated } = await replicate(operation);

    expect(replicated[0]).toEqual({
      node: 'node-a',
      status: 'failed',
      error: { message: 'load check failed', code: 'LOAD_FAILED' },
      started_at: 5,
      completed_at: 9,
    });
  });

  it('uses measured times when the peer reports none', async () => {
    vi.useFakeTimers({ now: 1_000 });
    const { transport, callFor } = createControlledTransport([peerA]);
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation);
    await vi.advanceTimersByTimeAsync(250);
    callFor(peerA).answer.resolve({ message: 'ok' });
    const { replicated } = await response;

    expect(replicated[0]?.started_at).toBe(1_000);
    expect(replicated[0]?.completed_at).toBe(1_250);
  });

  it('ignores and reports a throwing onPeerResult', async () => {
    const { transport, callFor } = createControlledTransport([peerA, peerB]);
    const warnings: Error[] = [];
    const replicate = createReplicateOperation({
      transport,
      onWarning: (warning) => warnings.push(warning),
    });
    const onPeerResult = vi.fn((_result: PeerReplicationResult) => {
      throw new Error('sink closed');
    });

    const response = replicate(operation, { onPeerResult });
    await flushMicrotasks();
    callFor(peerA).answer.resolve({});
    callFor(peerB).answer.resolve({});
    const { replicated } = await response;

    expect(replicated.map((result) => result.status)).toEqual(['success', 'success']);
    expect(onPeerResult).toHaveBeenCalledTimes(2);
    expect(warnings[0]).toBeInstanceOf(CallbackFailedError);
  });

  it('rejects a payload before sending', async () => {
    const { transport, calls } = createControlledTransport([peerA]);
    const replicate = createReplicateOperation({ transport });

    await expect(replicate({ ...operation, payload: Buffer.from('tar') })).rejects.toBeInstanceOf(
      PayloadInOperationError,
    );
    expect(calls).toHaveLength(0);
  });

  it('rejects when the peer list cannot be read', async () => {
    const transport: PeerTransport = {
      listPeers: () => Promise.reject(new Error('nodes table unavailable')),
      send: async () => ({}),
    };
    const replicate = createReplicateOperation({ transport });

    await expect(replicate(operation)).rejects.toBeInstanceOf(PeerListFailedError);
  });

  it('rejects a peer without a name', async () => {
    const transport: PeerTransport = {
      listPeers: () => [peerA, { url: 'http://127.0.0.1:3' } as Peer],
      send: async () => ({}),
    };
    const replicate = createReplicateOperation({ transport });

    await expect(replicate(operation)).rejects.toMatchObject({
      code: 'PEER_LIST_FAILED',
      message: expect.stringContaining('peer at index 1 has no name'),
    });
  });

  it('resolves with no entries when there are no peers', async () => {
    const { transport } = createControlledTransport([]);
    const replicate = createReplicateOperation({ transport });

    expect(await replicate(operation)).toEqual({
      message: 'no peers to replicate to',
      replicated: [],
    });
  });

  it('fails a slow peer and aborts its send', async () => {
    vi.useFakeTimers();
    const { transport, callFor } = createControlledTransport([peerA, peerB]);
    const replicate = createReplicateOperation({ transport, answerTimeoutMs: 1_000 });

    const response = replicate(operation);
    await flushMicrotasks();
    callFor(peerA).answer.resolve({});
    await vi.advanceTimersByTimeAsync(1_000);
    const { replicated } = await response;

    expect(replicated[1]).toMatchObject({
      status: 'failed',
      error: {
        code: 'PEER_ANSWER_TIMEOUT',
        message: expect.stringMatching(/^peer node-b did not answer within 1000 ms/),
      },
    });
    expect(callFor(peerB).signal.aborted).toBe(true);
  });

  it('onAnswer stops the answer deadline', async () => {
    vi.useFakeTimers();
    const { transport, callFor } = createControlledTransport([peerA]);
    const replicate = createReplicateOperation({ transport, answerTimeoutMs: 1_000 });

    const response = replicate(operation);
    await flushMicrotasks();
    callFor(peerA).onAnswer?.();
    await vi.advanceTimersByTimeAsync(5_000);
    callFor(peerA).answer.resolve({ message: 'installed' });
    const { replicated } = await response;

    expect(replicated[0]?.status).toBe('success');
    expect(callFor(peerA).signal.aborted).toBe(false);
  });

  it('caller abort fails pending peers', async () => {
    const { transport, callFor } = createControlledTransport([peerA, peerB]);
    const controller = new AbortController();
    const replicate = createReplicateOperation({ transport });

    const response = replicate(operation, { signal: controller.signal });
    await flushMicrotasks();
    callFor(peerA).answer.resolve({});
    await flushMicrotasks();
    controller.abort(Object.assign(new Error('deploy cancelled'), { code: 'CANCELLED' }));
    const { replicated } = await response;

    expect(replicated.map((result) => result.status)).toEqual(['success', 'failed']);
    expect(replicated[1]?.error).toEqual({ message: 'deploy cancelled', code: 'CANCELLED' });
  });

  it.each([0, -1, Number.NaN])('rejects answerTimeoutMs %s', (answerTimeoutMs) => {
    const { transport } = createControlledTransport([]);

    expect(() => createReplicateOperation({ transport, answerTimeoutMs })).toThrow(
      InvalidTimeoutError,
    );
  });

  it('accepts Infinity as answerTimeoutMs', async () => {
    const transport: PeerTransport = { listPeers: () => [peerA], send: async () => ({}) };
    const replicate = createReplicateOperation({
      transport,
      answerTimeoutMs: Number.POSITIVE_INFINITY,
    });

    expect((await replicate(operation)).replicated[0]?.status).toBe('success');
  });
});
