import { LineSpawnError } from './line-spawn-error.js';

/** Error for a command that the operating system could not find. */
export class CommandNotFoundError extends LineSpawnError {
  override readonly name: string = 'CommandNotFoundError';
  declare readonly code: 'ENOENT';

  constructor(command: string, cause?: unknown) {
    super(
      `Command not found: \`${command}\`. Check that it is installed and that its directory is in PATH.`,
      { code: 'ENOENT', command, cause },
    );
  }
}
