import type { SpawnLinesResult } from '../spawn-lines-result.js';
import { LineSpawnError } from './line-spawn-error.js';

/**
 * Error for a child that exited with a code other than 0 or was ended by a signal, raised only
 * when `rejectOnNonZeroExit` is set.
 */
export class NonZeroExitError extends LineSpawnError {
  override readonly name: string = 'NonZeroExitError';
  declare readonly code: 'ENONZERO';
  /** Result of the finished run. */
  readonly result: SpawnLinesResult;

  constructor(result: SpawnLinesResult) {
    super(describeExit(result), { code: 'ENONZERO', command: result.command });
    this.result = result;
  }
}

function describeExit(result: SpawnLinesResult): string {
  if (result.signal !== null) {
    return `\`${result.command}\` was killed by signal ${result.signal}`;
  }
  return `\`${result.command}\` failed with exit code ${result.code}`;
}
