import { describe, expect, it } from 'vitest';
import { isTransientBlobError } from './is-transient-blob-error.js';

describe('isTransientBlobError', () => {
  it('accepts the code ENOENT', () => {
    expect(isTransientBlobError(Object.assign(new Error('open failed'), { code: 'ENOENT' }))).toBe(
      true,
    );
  });

  it.each(['Blob is not available', 'blob not yet available', 'no such file or directory'])(
    'accepts the message %j',
    (message) => {
      expect(isTransientBlobError(new Error(message))).toBe(true);
    },
  );

  it('rejects other errors', () => {
    expect(isTransientBlobError(new Error('permission denied'))).toBe(false);
  });

  it('rejects values that are not objects', () => {
    expect(isTransientBlobError('not available')).toBe(false);
  });
});
