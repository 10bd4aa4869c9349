import { describe, expect, it } from 'vitest';
import { errorText } from './error-text.js';

describe('errorText', () => {
  it('keeps a string', () => {
    expect(errorText('install failed')).toBe('install failed');
  });

  it('formats a message and code', () => {
    expect(errorText({ message: 'install failed', code: 'INSTALL_FAILED' })).toBe(
      'install failed [INSTALL_FAILED]',
    );
  });

  it('formats a code alone', () => {
    expect(errorText({ code: 'RESTART_FAILED' })).toBe('RESTART_FAILED');
  });

  it('returns undefined for no error', () => {
    expect(errorText(null)).toBeUndefined();
  });

  it('falls back to JSON for other shapes', () => {
    expect(errorText({ reason: 'gone' })).toBe('{"reason":"gone"}');
  });
});
