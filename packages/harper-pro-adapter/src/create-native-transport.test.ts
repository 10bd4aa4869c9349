import { describe, expect, it, vi } from 'vitest';
import { createNativeTransport } from './create-native-transport.js';
import { createReplicateOperation } from './create-replicate-operation.js';
import { NativeReplicationFailedError } from './errors.js';
import type { Peer, ReplicableOperation } from './types.js';

const operation = { operation: 'deploy_component', _deploymentId: 'dep-1', project: 'shop' };
const peers: Peer[] = [
  { name: 'node-a', url: 'wss://127.0.0.1:9933' },
  { name: 'node-b', url: 'wss://127.0.0.2:9933' },
];

describe('createNativeTransport', () => {
  it('sends a flagged copy of the request', async () => {
    const native = vi.fn(async (_request: ReplicableOperation) => ({ replicated: [] }));
    const replicate = createReplicateOperation({ transport: createNativeTransport(native) });
    const request = { ...operation };

    await replicate(request);

    expect(native.mock.calls[0]?.[0]).toEqual({ ...operation, replicated: true });
    expect(request).toEqual(operation);
  });

  it('maps native entries to peer results by node name', async () => {
    const native = async () => ({
      replicated: [
        { node: 'node-b', status: 'failed', reason: 'Error: connection closed' },
        { node: 'node-a', message: 'Successfully deployed: shop' },
      ],
    });
    const transport = createNativeTransport(native, { listPeers: () => peers });
    const replicate = createReplicateOperation({ transport });

    const { replicated } = await replicate(operation);

    expect(replicated.map((result) => [result.node, result.status])).toEqual([
      ['node-a', 'success'],
      ['node-b', 'failed'],
    ]);
    expect(replicated[1]?.error?.message).toBe('Error: connection closed');
  });

  it('keeps native order without a peer list', async () => {
    const native = async () => ({
      replicated: [{ node: 'node-b' }, { node: 'node-a' }],
    });
    const replicate = createReplicateOperation({ transport: createNativeTransport(native) });

    const { replicated } = await replicate(operation);

    expect(replicated.map((result) => result.node)).toEqual(['node-b', 'node-a']);
  });

  it('records a listed peer without an entry as failed', async () => {
    const native = async () => ({ replicated: [{ node: 'node-a' }] });
    const transport = createNativeTransport(native, { listPeers: () => peers });
    const replicate = createReplicateOperation({ transport });

    const { replicated } = await replicate(operation);

    expect(replicated[1]).toMatchObject({
      node: 'node-b',
      status: 'failed',
      error: { code: 'PEER_MISSING_FROM_RESULT' },
    });
  });

  it('appends entries of nodes that are not listed', async () => {
    const native = async () => ({
      replicated: [{ node: 'node-a' }, { node: 'node-b' }, { node: 'node-c' }],
    });
    const transport = createNativeTransport(native, { listPeers: () => peers });
    const replicate = createReplicateOperation({ transport });

    const { replicated } = await replicate(operation);

    expect(replicated.map((result) => result.node)).toEqual(['node-a', 'node-b', 'node-c']);
  });

  it('reports every result through onPeerResult', async () => {
    const native = async () => ({ replicated: [{ node: 'node-a' }, { node: 'node-b' }] });
    const replicate = createReplicateOperation({ transport: createNativeTransport(native) });
    const reported: string[] = [];

    await replicate(operation, { onPeerResult: (result) => reported.push(result.node) });

    expect(reported).toEqual(['node-a', 'node-b']);
  });

  it('native throw fails every listed peer', async () => {
    const native = async () => {
      throw new Error('replication disabled');
    };
    const transport = createNativeTransport(native, { listPeers: () => peers });
    const replicate = createReplicateOperation({ transport });

    const { replicated } = await replicate(operation);

    expect(replicated.map((result) => result.error?.code)).toEqual([
      'NATIVE_REPLICATION_FAILED',
      'NATIVE_REPLICATION_FAILED',
    ]);
  });

  it('reports native failure without peer list', async () => {
    const native = async () => {
      throw new Error('replication disabled');
    };
    const warnings: Error[] = [];
    const replicate = createReplicateOperation({
      transport: createNativeTransport(native),
      onWarning: (warning) => warnings.push(warning),
    });

    const response = await replicate(operation);

    expect(response.replicated).toEqual([]);
    expect(response.message).toMatch(/^native replicateOperation failed: replication disabled/);
    expect(warnings[0]).toBeInstanceOf(NativeReplicationFailedError);
  });

  it('treats a response without replicated as no entries', async () => {
    const native = async () => undefined;
    const replicate = createReplicateOperation({ transport: createNativeTransport(native) });

    expect((await replicate(operation)).replicated).toEqual([]);
  });
});
