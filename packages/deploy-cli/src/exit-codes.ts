/** The deployment succeeded, or a `list` or help request completed. */
export const EXIT_SUCCESS = 0;
/** The deployment failed or was rolled back, or the server rejected the request. */
export const EXIT_FAILED = 1;
/**
 * Invalid usage, a local error such as an unreadable folder, an unreachable server, or an event
 * stream that was lost.
 */
export const EXIT_USAGE_OR_CONNECTION = 2;
/** Interrupted by SIGINT (128 + signal number 2, the shell convention). */
export const EXIT_INTERRUPTED = 130;
