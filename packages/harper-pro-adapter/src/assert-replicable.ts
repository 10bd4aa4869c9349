import { InvalidOperationError, PayloadInOperationError } from './errors.js';
import type { ReplicableOperation } from './types.js';

/** Private field that peers need to find the replicated deployment row. */
const ALLOWED_PRIVATE_FIELD = '_deploymentId';

/** Maximum depth of nested objects and arrays that the check walks. Deeper values fail it. */
const MAX_CHECKED_DEPTH = 32;

/**
 * Throws unless the operation can be sent to peers: a plain object with no `payload` field,
 * no private `_` field other than `_deploymentId`, and no binary data or stream at any depth.
 * Peers read the payload from the replicated deployment row, never from the operation.
 *
 * @throws InvalidOperationError when the operation is not a plain object.
 * @throws PayloadInOperationError naming the first offending field.
 */
export function assertReplicable(operation: unknown): asserts operation is ReplicableOperation {
  if (typeof operation !== 'object' || operation === null || Array.isArray(operation)) {
    throw new InvalidOperationError(operation);
  }

  for (const [key, value] of Object.entries(operation)) {
    if (key === 'payload' && value !== undefined) {
      throw new PayloadInOperationError(key, value, 'carries the payload');
    }
    if (key.startsWith('_') && key !== ALLOWED_PRIVATE_FIELD) {
      throw new PayloadInOperationError(key, value, 'is private');
    }
  }

  assertNoBinaryValues(operation, '', 0, new WeakSet());
}

function assertNoBinaryValues(value: object, path: string, depth: number, seen: WeakSet<object>) {
  if (seen.has(value)) return;
  seen.add(value);

  for (const [key, child] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (typeof child !== 'object' || child === null) continue;

    const kind = binaryKind(child);
    if (kind !== null) throw new PayloadInOperationError(childPath, child, `is ${kind}`);
    if (depth + 1 >= MAX_CHECKED_DEPTH) {
      throw new PayloadInOperationError(
        childPath,
        child,
        `is nested deeper than ${MAX_CHECKED_DEPTH} levels`,
      );
    }
    assertNoBinaryValues(child, childPath, depth + 1, seen);
  }
}

/** Names the kind of binary or streaming value, or returns null for plain data. */
function binaryKind(value: object): string | null {
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (ArrayBuffer.isView(value)) return 'binary data';
  if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return 'binary data';
  if (typeof Blob !== 'undefined' && value instanceof Blob) return 'a Blob';

  const candidate = value as {
    pipe?: unknown;
    getReader?: unknown;
    stream?: unknown;
    [Symbol.asyncIterator]?: unknown;
  };
  // Harper's file-backed blobs are not instances of the global Blob but have stream().
  if (typeof candidate.stream === 'function') return 'a blob';
  if (typeof candidate.pipe === 'function') return 'a stream';
  if (typeof candidate.getReader === 'function') return 'a stream';
  if (typeof candidate[Symbol.asyncIterator] === 'function') return 'a stream';
  return null;
}
