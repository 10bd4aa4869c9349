import { describe, expect, it } from 'vitest';
import type { PeerResult } from './deployment-row.js';
import {
  DEFAULT_FALLBACK_NODE,
  DEFAULT_PEER_ERROR_CODE,
  DEFAULT_PEER_ERROR_MESSAGE,
  normalizePeerResult,
  normalizePeerResultWithSource,
} from './peer-result.js';

const NOW = 1_700_000_000_000;
const now = (): number => NOW;

class CodedError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

interface NormalizationCase {
  name: string;
  input: unknown;
  expected: PeerResult;
}

const cases: NormalizationCase[] = [
  {
    name: 'success with node and timestamps',
    input: { node: 'a', status: 'success', started_at: 10, completed_at: 20 },
    expected: { node: 'a', status: 'success', error: null, started_at: 10, completed_at: 20 },
  },
  {
    name: 'node from name',
    input: { name: 'b', status: 'success' },
    expected: { node: 'b', status: 'success', error: null, started_at: null, completed_at: NOW },
  },
  {
    name: 'node from hostname',
    input: { hostname: 'c.example', status: 'ok' },
    expected: {
      node: 'c.example',
      status: 'success',
      error: null,
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'ISO timestamps',
    input: {
      node: 'a',
      status: 'success',
      started_at: '2024-01-01T00:00:00.000Z',
      completed_at: '2024-01-01T00:00:01.500Z',
    },
    expected: {
      node: 'a',
      status: 'success',
      error: null,
      started_at: Date.UTC(2024, 0, 1),
      completed_at: Date.UTC(2024, 0, 1, 0, 0, 1, 500),
    },
  },
  {
    name: 'unparseable timestamps',
    input: { node: 'a', status: 'success', started_at: 'yesterday', completed_at: Number.NaN },
    expected: { node: 'a', status: 'success', error: null, started_at: null, completed_at: NOW },
  },
  {
    name: 'failure with string error',
    input: { node: 'a', status: 'failed', error: 'disk full' },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'disk full', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'failure with message and code',
    input: {
      node: 'a',
      status: 'failed',
      error: { message: 'npm exited with 1', code: 'INSTALL_FAILED' },
    },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'npm exited with 1', code: 'INSTALL_FAILED' },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'failure with Error instance',
    input: { node: 'a', status: 'failed', error: new CodedError('refused', 'ECONNREFUSED') },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'refused', code: 'ECONNREFUSED' },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'failure with reason',
    input: { node: 'a', status: 'failed', reason: 'timed out' },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'timed out', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'failure without message',
    input: { node: 'a', status: 'failed' },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: DEFAULT_PEER_ERROR_MESSAGE, code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'failure with top-level message',
    input: { node: 'a', status: 'error', message: 'load check failed' },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'load check failed', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'numeric error code',
    input: { node: 'a', status: 'failed', error: { message: 'bad gateway', code: 502 } },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'bad gateway', code: '502' },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'response body without status',
    input: { node: 'a', message: 'Successfully deployed' },
    expected: { node: 'a', status: 'success', error: null, started_at: null, completed_at: NOW },
  },
  {
    name: 'reason without status',
    input: { node: 'a', reason: 'connection reset' },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: 'connection reset', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'success false without status',
    input: { node: 'a', success: false },
    expected: {
      node: 'a',
      status: 'failed',
      error: { message: DEFAULT_PEER_ERROR_MESSAGE, code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'unrecognized status',
    input: { node: 'a', status: 'running' },
    expected: {
      node: 'a',
      status: 'failed',
      error: {
        message: 'the peer reported an unrecognized status: running',
        code: DEFAULT_PEER_ERROR_CODE,
      },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'settled fulfilled',
    input: { status: 'fulfilled', value: { node: 'a', status: 'success', completed_at: 5 } },
    expected: { node: 'a', status: 'success', error: null, started_at: null, completed_at: 5 },
  },
  {
    name: 'settled rejected',
    input: { status: 'rejected', reason: new Error('socket hang up') },
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'failed',
      error: { message: 'socket hang up', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'origin flag',
    input: { node: 'origin-1', status: 'success', origin: true, completed_at: 7 },
    expected: {
      node: 'origin-1',
      status: 'success',
      error: null,
      started_at: null,
      completed_at: 7,
      origin: true,
    },
  },
  {
    name: 'string ok',
    input: 'ok',
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'success',
      error: null,
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'boolean true',
    input: true,
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'success',
      error: null,
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'boolean false',
    input: false,
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'failed',
      error: { message: DEFAULT_PEER_ERROR_MESSAGE, code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'string failed',
    input: 'FAILED',
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'failed',
      error: { message: DEFAULT_PEER_ERROR_MESSAGE, code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'other string',
    input: 'npm ERR! code E404',
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'failed',
      error: { message: 'npm ERR! code E404', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'null',
    input: null,
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'failed',
      error: { message: 'the peer returned no result', code: DEFAULT_PEER_ERROR_CODE },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'number',
    input: 42,
    expected: {
      node: DEFAULT_FALLBACK_NODE,
      status: 'failed',
      error: {
        message: 'the peer returned an unrecognized result: 42',
        code: DEFAULT_PEER_ERROR_CODE,
      },
      started_at: null,
      completed_at: NOW,
    },
  },
  {
    name: 'Error instance',
    input: Object.assign(new CodedError('timed out', 'ETIMEDOUT'), { node: 'd' }),
    expected: {
      node: 'd',
      status: 'failed',
      error: { message: 'timed out', code: 'ETIMEDOUT' },
      started_at: null,
      completed_at: NOW,
    },
  },
];

describe('normalizePeerResult', () => {
  it.each(cases)('normalizes $name', ({ input, expected }) => {
    expect(normalizePeerResult(input, { now })).toEqual(expected);
  });

  it('uses fallbackNode for a result without a node', () => {
    const result = normalizePeerResult({ status: 'success' }, { now, fallbackNode: 'unknown-3' });

    expect(result.node).toBe('unknown-3');
  });

  it('ignores a blank node name', () => {
    const result = normalizePeerResult({ node: '  ', name: 'b', status: 'success' }, { now });

    expect(result.node).toBe('b');
  });

  it('reports a clock completed_at', () => {
    const normalized = normalizePeerResultWithSource({ node: 'a', status: 'success' }, { now });

    expect(normalized.completedAtFromClock).toBe(true);
  });

  it('reports a reported completed_at', () => {
    const normalized = normalizePeerResultWithSource(
      { node: 'a', status: 'success', completed_at: 3 },
      { now },
    );

    expect(normalized.completedAtFromClock).toBe(false);
  });
});
