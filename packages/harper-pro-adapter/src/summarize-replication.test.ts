import { describe, expect, it } from 'vitest';
import { summarizeReplication } from './summarize-replication.js';
import type { PeerReplicationResult } from './types.js';

function success(node: string): PeerReplicationResult {
  return { node, status: 'success', error: null, started_at: 1, completed_at: 2 };
}

function failure(node: string, message: string): PeerReplicationResult {
  return {
    node,
    status: 'failed',
    error: { message, code: 'PEER_FAILED' },
    started_at: 1,
    completed_at: 2,
  };
}

describe('summarizeReplication', () => {
  it('succeeds when every peer succeeded', () => {
    const summary = summarizeReplication([success('a'), success('b')], { peersConfigured: true });

    expect(summary).toEqual({
      status: 'success',
      failedNodes: [],
      warnings: [],
      message: 'replicated to 2 of 2 peers',
    });
  });

  it('fails and names the failed nodes', () => {
    const summary = summarizeReplication([success('a'), failure('b', 'install failed')]);

    expect(summary).toEqual({
      status: 'failed',
      failedNodes: ['b'],
      warnings: [],
      message: 'replication failed on b (1 of 2 peers succeeded)',
    });
  });

  it('fails when peers are configured but none was reached', () => {
    const summary = summarizeReplication([], { peersConfigured: true });

    expect(summary.status).toBe('failed');
    expect(summary.message).toBe(
      'replication failed: peers are configured but no peer was reached',
    );
  });

  it('accepts a peer count for peersConfigured', () => {
    const summary = summarizeReplication([], { peersConfigured: 2 });

    expect(summary.status).toBe('failed');
  });

  it('treats a peer count of 0 as no peers', () => {
    const summary = summarizeReplication([], { peersConfigured: 0 });

    expect(summary.status).toBe('success');
  });

  it('fails when results are fewer than peers', () => {
    const summary = summarizeReplication([success('a')], { peersConfigured: 3 });

    expect(summary.status).toBe('failed');
    expect(summary.message).toBe('replication failed: 2 of 3 configured peers sent no result');
  });

  it('names failed and missing peers together', () => {
    const summary = summarizeReplication([failure('a', 'install failed')], { peersConfigured: 2 });

    expect(summary.message).toBe(
      'replication failed on a (0 of 1 peers succeeded), and 1 of 2 configured peers sent no result',
    );
  });

  it('accepts results whose times are null', () => {
    const result = { node: 'a', status: 'success' as const, error: null, started_at: null };

    expect(summarizeReplication([result]).status).toBe('success');
  });

  it('succeeds without peers when none are configured', () => {
    const summary = summarizeReplication([], { peersConfigured: false });

    expect(summary.status).toBe('success');
    expect(summary.message).toBe('no peers configured');
  });

  it('turns failures into warnings with ignoreReplicationErrors', () => {
    const summary = summarizeReplication([success('a'), failure('b', 'install failed')], {
      ignoreReplicationErrors: true,
    });

    expect(summary.status).toBe('success');
    expect(summary.failedNodes).toEqual(['b']);
    expect(summary.warnings).toEqual(['peer b failed: install failed']);
    expect(summary.message).toBe(
      'replication failed on b (1 of 2 peers succeeded), ignored because ignoreReplicationErrors is set',
    );
  });

  it('warns about unreached peers with ignoreReplicationErrors', () => {
    const summary = summarizeReplication([], {
      ignoreReplicationErrors: true,
      peersConfigured: true,
    });

    expect(summary.status).toBe('success');
    expect(summary.warnings).toEqual(['peers are configured but no peer was reached']);
  });
});
