import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidReplicationFieldError, MissingReplicationFieldError } from './errors.js';
import { REPLICATED_FIELDS, stripForReplication } from './strip-for-replication.js';

const fullRequest = {
  operation: 'deploy_component',
  _deploymentId: 'dep-1',
  project: 'shop',
  package: 'shop.tgz',
  restart: 'rolling',
  install_command: 'npm ci',
  install_timeout: 120_000,
  install_allow_scripts: false,
};

describe('stripForReplication', () => {
  it('keeps every allowed field', () => {
    expect(stripForReplication({ ...fullRequest })).toEqual(fullRequest);
  });

  it('drops payload, credentials and private fields', () => {
    const operation = stripForReplication({
      ...fullRequest,
      payload: Buffer.from('tarball'),
      payloadStream: new ReadableStream(),
      estimated_size: 1024,
      hdb_user: { username: 'admin' },
      authorization: 'Basic YWRtaW46cGFzcw==',
      _internal: true,
    });

    expect(Object.keys(operation).sort()).toEqual([...REPLICATED_FIELDS].sort());
  });

  it('omits undefined and null optional fields', () => {
    const operation = stripForReplication({
      _deploymentId: 'dep-1',
      project: 'shop',
      package: undefined,
      restart: null,
    });

    expect(operation).toEqual({ _deploymentId: 'dep-1', project: 'shop' });
  });

  it('omits absent fields as keys', () => {
    const operation = stripForReplication({ _deploymentId: 'dep-1', project: 'shop' });

    expect(Object.hasOwn(operation, 'package')).toBe(false);
  });

  it('accepts multipart strings for scalar fields', () => {
    const operation = stripForReplication({
      _deploymentId: 'dep-1',
      project: 'shop',
      restart: 'true',
      install_timeout: '60000',
      install_allow_scripts: 'false',
    });

    expect(operation.install_timeout).toBe('60000');
  });

  it.each(['_deploymentId', 'project'])('rejects a missing %s', (field) => {
    const request: Record<string, unknown> = { ...fullRequest };
    delete request[field];

    expect(() => stripForReplication(request)).toThrow(MissingReplicationFieldError);
  });

  it.each(['_deploymentId', 'project'])('rejects an empty %s', (field) => {
    const request: Record<string, unknown> = { ...fullRequest, [field]: '' };

    expect(() => stripForReplication(request)).toThrow(MissingReplicationFieldError);
  });

  it('names the missing field in the error', () => {
    const error = catchError(() => stripForReplication({ project: 'shop' }));

    expect(error).toMatchObject({
      code: 'MISSING_REPLICATION_FIELD',
      field: '_deploymentId',
      value: undefined,
    });
  });

  it('rejects a Buffer under an allowed name', () => {
    const request = { ...fullRequest, package: Buffer.from('tarball') };

    expect(() => stripForReplication(request)).toThrow(InvalidReplicationFieldError);
  });

  it('rejects a non-finite install_timeout', () => {
    const request = { ...fullRequest, install_timeout: Number.NaN };

    expect(() => stripForReplication(request)).toThrow(InvalidReplicationFieldError);
  });

  it('invalid field error names field and type', () => {
    const error = catchError(() => stripForReplication({ ...fullRequest, restart: 1 }));

    expect(error).toMatchObject({
      code: 'INVALID_REPLICATION_FIELD',
      field: 'restart',
      value: 1,
      expected: 'a boolean or a string',
    });
  });

  it('never lets an extra key cross (property)', () => {
    const allowed = new Set<string>(REPLICATED_FIELDS);
    const extraKey = fc.string().filter((key) => !allowed.has(key) && key !== '__proto__');
    const extraValue = fc.oneof(
      fc.anything(),
      fc.uint8Array().map((bytes) => Buffer.from(bytes)),
      fc.constant(new ReadableStream()),
    );

    fc.assert(
      fc.property(fc.dictionary(extraKey, extraValue), (extras) => {
        const operation = stripForReplication({ ...extras, ...fullRequest });
        for (const key of Object.keys(operation)) {
          expect(allowed.has(key)).toBe(true);
        }
        expect(operation).toEqual(fullRequest);
      }),
    );
  });

  it('copies only scalar values (property)', () => {
    const field = fc.constantFrom(...REPLICATED_FIELDS);

    fc.assert(
      fc.property(field, fc.anything(), (name, value) => {
        let operation: Record<string, unknown>;
        try {
          operation = { ...stripForReplication({ ...fullRequest, [name]: value }) };
        } catch (error) {
          const expectedErrors = [InvalidReplicationFieldError, MissingReplicationFieldError];
          expect(expectedErrors.some((type) => error instanceof type)).toBe(true);
          return;
        }
        for (const copied of Object.values(operation)) {
          expect(['string', 'number', 'boolean']).toContain(typeof copied);
        }
      }),
    );
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
