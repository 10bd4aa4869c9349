import type { SpawnLinesResult } from '../spawn-lines-result.js';
import { LineSpawnError } from './line-spawn-error.js';

/** Error for a run that wrote nothing for `idleTimeoutMs`. It carries the partial result. */
export class IdleTimeoutError extends LineSpawnError {
  override readonly name: string = 'IdleTimeoutError';
  declare readonly code: 'EIDLETIMEOUT';
  /** Limit that was exceeded, in milliseconds. */
  readonly idleTimeoutMs: number;
  /** Result of the stopped run. */
  readonly result: SpawnLinesResult;

  constructor(result: SpawnLinesResult, idleTimeoutMs: number) {
    super(`\`${result.command}\` timed out after ${idleTimeoutMs} ms without output`, {
      code: 'EIDLETIMEOUT',
      command: result.command,
    });
    this.idleTimeoutMs = idleTimeoutMs;
    this.result = result;
  }
}
