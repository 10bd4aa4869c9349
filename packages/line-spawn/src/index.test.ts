import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('package exports', () => {
  it('exports the function, errors and constants', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AbortedError',
      'CommandNotFoundError',
      'DEFAULT_KILL_GRACE_MS',
      'DEFAULT_MAX_LINE_LENGTH',
      'EXIT_DRAIN_MS',
      'IdleTimeoutError',
      'LineSpawnError',
      'NonZeroExitError',
      'TimeoutError',
      'formatTruncationMarker',
      'spawnLines',
    ]);
  });
});
