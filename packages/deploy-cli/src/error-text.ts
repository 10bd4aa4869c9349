import { isRecord } from './is-record.js';

/**
 * Formats an error the server reported, which is a string or an object such as
 * `{message, code}`, as one line of text. Returns undefined when there is no error.
 */
export function errorText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const message = typeof value.message === 'string' ? value.message : undefined;
    const code = typeof value.code === 'string' ? value.code : undefined;
    if (message !== undefined) return code === undefined ? message : `${message} [${code}]`;
    if (code !== undefined) return code;
  }
  return JSON.stringify(value);
}
