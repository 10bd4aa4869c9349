import { existsSync } from 'node:fs';
import { CommandNotFoundError } from './errors/command-not-found-error.js';
import { LineSpawnError } from './errors/line-spawn-error.js';

/** Converts the error of a failed spawn into the error that `spawnLines` rejects with. */
export function toStartError(
  error: unknown,
  command: string,
  cwd: string | undefined,
): LineSpawnError {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code === 'ENOENT') {
    // Node.js also reports a missing working directory as ENOENT of the spawn.
    if (cwd !== undefined && !existsSync(cwd)) {
      return new LineSpawnError(
        `Cannot start \`${command}\`: the working directory \`${cwd}\` does not exist.`,
        { code: 'ENOENT', command, cause: error },
      );
    }
    return new CommandNotFoundError(command, error);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new LineSpawnError(`Cannot start \`${command}\`: ${reason}`, {
    code: code ?? 'ESPAWN',
    command,
    cause: error,
  });
}
