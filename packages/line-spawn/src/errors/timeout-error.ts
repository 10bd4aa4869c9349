import type { SpawnLinesResult } from '../spawn-lines-result.js';
import { LineSpawnError } from './line-spawn-error.js';

/** Error for a run that exceeded `timeoutMs`. It carries the partial result. */
export class TimeoutError extends LineSpawnError {
  override readonly name: string = 'TimeoutError';
  declare readonly code: 'ETIMEDOUT';
  /** Limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /** Result of the stopped run. */
  readonly result: SpawnLinesResult;

  constructor(result: SpawnLinesResult, timeoutMs: number) {
    super(`\`${result.command}\` timed out after ${timeoutMs} ms`, {
      code: 'ETIMEDOUT',
      command: result.command,
    });
    this.timeoutMs = timeoutMs;
    this.result = result;
  }
}
