import { describe, expect, it } from 'vitest';
import { toPeerResults } from './to-peer-results.js';

const measured = { started_at: 1_000, completed_at: 2_000 };

describe('toPeerResults', () => {
  it('keeps a result of this package unchanged', () => {
    const entry = {
      node: 'node-b',
      status: 'success',
      error: null,
      started_at: 10,
      completed_at: 20,
      result: { message: 'deployed' },
    };

    expect(toPeerResults([entry], measured)).toEqual([entry]);
  });

  it('reads a native success entry', () => {
    const entry = { node: 'node-b', message: 'Successfully deployed: shop' };

    expect(toPeerResults([entry], measured)).toEqual([
      { node: 'node-b', status: 'success', error: null, ...measured, result: entry },
    ]);
  });

  it('reads a native rejected entry', () => {
    const entry = { node: 'node-c', status: 'failed', reason: 'Error: connection refused' };

    expect(toPeerResults([entry], measured)[0]).toEqual({
      node: 'node-c',
      status: 'failed',
      error: { message: 'Error: connection refused', code: 'PEER_FAILED' },
      ...measured,
    });
  });

  it('reads an error object with its code', () => {
    const entry = { name: 'node-d', error: { message: 'install failed', code: 'INSTALL_FAILED' } };

    expect(toPeerResults([entry], measured)[0]?.error).toEqual({
      message: 'install failed',
      code: 'INSTALL_FAILED',
    });
  });

  it('reads a string error with the entry code', () => {
    const entry = { node: 'node-d', error: 'disk full', code: 'ENOSPC' };

    expect(toPeerResults([entry], measured)[0]?.error).toEqual({
      message: 'disk full',
      code: 'ENOSPC',
    });
  });

  it('takes the node name from name when node is absent', () => {
    expect(toPeerResults([{ name: 'node-e' }], measured)[0]?.node).toBe('node-e');
  });

  it('names an entry without a node by its position', () => {
    expect(toPeerResults([{}, 'ok'], measured).map((result) => result.node)).toEqual([
      'unnamed peer 1',
      'unnamed peer 2',
    ]);
  });

  it('parses date strings as timestamps', () => {
    const entry = {
      node: 'node-b',
      started_at: '2025-01-01T00:00:00.000Z',
      completed_at: '2025-01-01T00:00:01.000Z',
    };

    const [result] = toPeerResults([entry], measured);

    expect(result?.started_at).toBe(Date.parse('2025-01-01T00:00:00.000Z'));
    expect(result?.completed_at).toBe(Date.parse('2025-01-01T00:00:01.000Z'));
  });

  it('falls back to measured times for unparsable timestamps', () => {
    const entry = { node: 'node-b', started_at: 'soon', completed_at: Number.NaN };

    const [result] = toPeerResults([entry], measured);

    expect(result?.started_at).toBe(measured.started_at);
    expect(result?.completed_at).toBe(measured.completed_at);
  });

  it('treats status error as failed', () => {
    expect(toPeerResults([{ node: 'n', status: 'error' }], measured)[0]?.status).toBe('failed');
  });

  it('gives a failure without any message a default message', () => {
    expect(toPeerResults([{ node: 'n', status: 'failed' }], measured)[0]?.error).toEqual({
      message: 'peer reported a failure without a message',
      code: 'PEER_FAILED',
    });
  });
});
