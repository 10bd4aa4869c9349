const TRANSIENT_CODES = new Set(['ENOENT']);
const TRANSIENT_MESSAGE = /not (yet )?available|ENOENT|no such file/i;

/**
 * Returns true for errors that mean the blob's bytes have not replicated yet: the code
 * `ENOENT`, or a message that mentions "not available", "not yet available", `ENOENT` or
 * "no such file". Harper stores blobs as files, and a file can arrive after its record.
 */
export function isTransientBlobError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  return typeof message === 'string' && TRANSIENT_MESSAGE.test(message);
}
