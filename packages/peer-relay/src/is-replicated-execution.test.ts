import { describe, expect, it } from 'vitest';
import { isReplicatedExecution } from './is-replicated-execution.js';

describe('isReplicatedExecution', () => {
  it('is true with a deployment id and no payload', () => {
    expect(isReplicatedExecution({ _deploymentId: 'dep-1', project: 'shop' })).toBe(true);
  });

  it('is false when a payload is present', () => {
    const request = { _deploymentId: 'dep-1', payload: 'dGFyYmFsbA==' };

    expect(isReplicatedExecution(request)).toBe(false);
  });

  it('is false without a deployment id', () => {
    expect(isReplicatedExecution({ project: 'shop' })).toBe(false);
  });

  it('is false with an empty deployment id', () => {
    expect(isReplicatedExecution({ _deploymentId: '' })).toBe(false);
  });

  it('treats a null payload as absent', () => {
    expect(isReplicatedExecution({ _deploymentId: 'dep-1', payload: null })).toBe(true);
  });
});
