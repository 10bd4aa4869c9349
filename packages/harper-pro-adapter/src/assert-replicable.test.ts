import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { assertReplicable } from './assert-replicable.js';
import { InvalidOperationError, PayloadInOperationError } from './errors.js';

const operation = {
  operation: 'deploy_component',
  _deploymentId: 'dep-1',
  project: 'shop',
  restart: true,
};

describe('assertReplicable', () => {
  it('accepts a stripped deploy operation', () => {
    expect(() => assertReplicable(operation)).not.toThrow();
  });

  it('accepts an undefined payload field', () => {
    expect(() => assertReplicable({ ...operation, payload: undefined })).not.toThrow();
  });

  it('rejects a payload field', () => {
    expect(() => assertReplicable({ ...operation, payload: 'dGFy' })).toThrow(
      PayloadInOperationError,
    );
  });

  it('names the payload field and the fix', () => {
    let caught: unknown;
    try {
      assertReplicable({ ...operation, payload: 'dGFy' });
    } catch (error) {
      caught = error;
    }

    expect(caught).toMatchObject({
      code: 'PAYLOAD_IN_OPERATION',
      field: 'payload',
      value: 'dGFy',
      message: expect.stringContaining('stripForReplication'),
    });
  });

  it.each([
    ['a Buffer', Buffer.from('tar')],
    ['a Uint8Array', new Uint8Array([1, 2])],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a Node.js stream', Readable.from([])],
    ['a web stream', new ReadableStream()],
    ['a Blob', new Blob(['tar'])],
    ['a Harper-style blob', { size: 3, stream: () => new ReadableStream() }],
  ])('rejects %s in any field', (_label, value) => {
    expect(() => assertReplicable({ ...operation, package: value })).toThrow(
      PayloadInOperationError,
    );
  });

  it('reports the path of nested binary data', () => {
    let caught: unknown;
    try {
      assertReplicable({ ...operation, options: { files: [Buffer.from('x')] } });
    } catch (error) {
      caught = error;
    }

    expect(caught).toMatchObject({ field: 'options.files.0' });
  });

  it('rejects private fields other than _deploymentId', () => {
    expect(() => assertReplicable({ ...operation, _estimatedSize: 10 })).toThrow(
      PayloadInOperationError,
    );
  });

  it('rejects nesting beyond the depth limit', () => {
    let nested: Record<string, unknown> = {};
    const root = nested;
    for (let depth = 0; depth < 40; depth += 1) {
      const child = {};
      nested.child = child;
      nested = child;
    }

    expect(() => assertReplicable({ ...operation, options: root })).toThrow(
      PayloadInOperationError,
    );
  });

  it.each([
    ['null', null],
    ['a string', 'deploy_component'],
    ['an array', [operation]],
  ])('rejects %s as the operation', (_label, value) => {
    expect(() => assertReplicable(value)).toThrow(InvalidOperationError);
  });
});
