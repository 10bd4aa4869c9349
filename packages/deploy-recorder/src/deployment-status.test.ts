import { describe, expect, it } from 'vitest';
import {
  DEPLOYMENT_STATUSES,
  isDeploymentStatus,
  isTerminalStatus,
  statusForPhaseStart,
  TERMINAL_STATUSES,
} from './deployment-status.js';

describe('isTerminalStatus', () => {
  it.each(['success', 'failed', 'rolled_back'])('accepts %s', (status) => {
    expect(isTerminalStatus(status)).toBe(true);
  });

  it.each([
    'pending',
    'extracting',
    'installing',
    'loading',
    'replicating',
    'restarting',
    'done',
    null,
  ])('rejects %s', (status) => {
    expect(isTerminalStatus(status)).toBe(false);
  });

  it('agrees with TERMINAL_STATUSES', () => {
    const terminal = DEPLOYMENT_STATUSES.filter((status) => isTerminalStatus(status));

    expect(terminal).toEqual([...TERMINAL_STATUSES]);
  });
});

describe('isDeploymentStatus', () => {
  it('accepts every status', () => {
    expect(DEPLOYMENT_STATUSES.every((status) => isDeploymentStatus(status))).toBe(true);
  });

  it('rejects an unknown status', () => {
    expect(isDeploymentStatus('running')).toBe(false);
  });
});

describe('statusForPhaseStart', () => {
  it.each([
    ['extract', 'extracting'],
    ['install', 'installing'],
    ['load', 'loading'],
    ['replicate', 'replicating'],
    ['restart', 'restarting'],
  ])('maps %s to %s', (phase, status) => {
    expect(statusForPhaseStart(phase)).toBe(status);
  });

  it.each(['verify', 'upload', 'toString', ''])('returns undefined for %s', (phase) => {
    expect(statusForPhaseStart(phase)).toBeUndefined();
  });
});
