import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { buildEndpointUrl, formatTarget, resolveServerTarget } from './server-target.js';

describe('resolveServerTarget', () => {
  it('builds a Basic auth header from the options', () => {
    const target = resolveServerTarget({
      target: 'http://127.0.0.1:9926',
      username: 'admin',
      password: 'pw',
    });
    expect(target.authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
  });

  it('moves credentials out of the URL', () => {
    const target = resolveServerTarget({ target: 'https://admin:p%40ss@node-1:9926/' });
    expect(target.authorization).toBe(`Basic ${Buffer.from('admin:p@ss').toString('base64')}`);
    expect(formatTarget(target)).toBe('https://node-1:9926');
  });

  it('sends no header without credentials', () => {
    expect(resolveServerTarget({ target: 'http://127.0.0.1:9926' }).authorization).toBeUndefined();
  });

  it('keeps a path prefix', () => {
    const target = resolveServerTarget({ target: 'https://proxy.example.com/harper' });
    expect(buildEndpointUrl(target, ['deployments', 'a/b']).href).toBe(
      'https://proxy.example.com/harper/deployments/a%2Fb',
    );
  });

  it('leaves undefined query parameters out', () => {
    const target = resolveServerTarget({ target: 'http://127.0.0.1:9926' });
    const url = buildEndpointUrl(target, ['deployments'], {
      project: 'app',
      status: undefined,
      limit: 5,
    });
    expect(url.search).toBe('?project=app&limit=5');
  });

  it.each([['not a url'], ['ftp://node-1'], ['file:///etc/passwd']])('rejects %s', (value) => {
    expect(() => resolveServerTarget({ target: value })).toThrow(UsageError);
  });

  it('rejects a username without a password', () => {
    expect(() => resolveServerTarget({ target: 'http://127.0.0.1:1', username: 'admin' })).toThrow(
      UsageError,
    );
  });

  it('does not echo an invalid URL, which may contain a password', () => {
    expect(() => resolveServerTarget({ target: 'http://admin:hunter2@[bad' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});
