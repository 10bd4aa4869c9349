import type { SpawnLinesResult } from '../spawn-lines-result.js';
import { LineSpawnError } from './line-spawn-error.js';

/**
 * Error for a run whose `signal` was aborted. Its `cause` is the signal's reason, and it carries
 * the partial result.
 */
export class AbortedError extends LineSpawnError {
  override readonly name: string = 'AbortedError';
  declare readonly code: 'ABORT_ERR';
  /** Result of the stopped run, or of a run that never started when the signal was already aborted. */
  readonly result: SpawnLinesResult;

  constructor(result: SpawnLinesResult, reason: unknown) {
    super(`\`${result.command}\` was aborted`, {
      code: 'ABORT_ERR',
      command: result.command,
      cause: reason,
    });
    this.result = result;
  }
}
