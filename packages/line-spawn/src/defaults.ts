/** Default milliseconds between SIGTERM and SIGKILL when the process tree is stopped. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/**
 * Default maximum line length in UTF-16 code units (1 Mi). It bounds the memory that one line
 * without a line break can take.
 */
export const DEFAULT_MAX_LINE_LENGTH = 1_048_576;

/**
 * Milliseconds to wait after the child exits for its stdout and stderr pipes to close. A
 * grandchild that inherited the pipes can keep them open for as long as it runs, so after this
 * time the pipes are destroyed and the run ends.
 */
export const EXIT_DRAIN_MS = 100;
