// Parses a deploy request body without buffering the payload: multipart through busboy (fields
// first, then one file part named `payload`), or JSON with a base64 `payload` for small uploads.
import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import busboy from 'busboy';
import { assertSafeFieldName } from './deploy-options.js';
import { HttpError } from './http-error.js';
import type { DeploySettings } from './settings.js';

export interface ParsedUpload {
  fields: Record<string, unknown>;
  /** The payload bytes; errors with an HttpError when the upload breaks a limit or aborts. */
  payload: Readable;
  /** The size the client announced, when it did (JSON bodies always know it). */
  declaredBytes: number | null;
}

type UploadLimits = Pick<
  DeploySettings,
  'maxPayloadBytes' | 'maxFieldBytes' | 'maxFields' | 'maxJsonBodyBytes'
>;

/** Reads the request up to the start of the payload and returns the fields and a payload stream. */
export function parseUpload(request: IncomingMessage, limits: UploadLimits): Promise<ParsedUpload> {
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('application/json')) return parseJsonUpload(request, limits);
  if (contentType.startsWith('multipart/form-data')) return parseMultipartUpload(request, limits);
  return Promise.reject(
    new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `unsupported content type ${JSON.stringify(contentType)}: send multipart/form-data with a payload file, or application/json with a base64 payload`,
    ),
  );
}

function parseMultipartUpload(
  request: IncomingMessage,
  limits: UploadLimits,
): Promise<ParsedUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: {
          fieldSize: limits.maxFieldBytes,
          fields: limits.maxFields,
          files: 1,
          fileSize: limits.maxPayloadBytes,
          parts: limits.maxFields + 1,
        },
      });
    } catch (error) {
      reject(
        new HttpError(
          400,
          'MALFORMED_MULTIPART',
          `malformed multipart request: ${(error as Error).message}`,
        ),
      );
      return;
    }
    const fields: Record<string, unknown> = Object.create(null);
    const payload = new PassThrough();
    // Consumers attach their own error handlers. This one keeps an error that arrives after a
    // consumer stopped reading (a rejected deploy drains the payload) from crashing the worker.
    payload.on('error', () => undefined);
    let settled = false;
    let fileSeen = false;
    let failed = false;

    const fail = (error: HttpError): void => {
      if (failed) return;
      failed = true;
      request.unpipe(parser);
      request.resume();
      if (!settled) {
        settled = true;
        reject(error);
      } else if (!payload.destroyed) {
        // Busboy can report an error in the same tick as the file part, before the caller of
        // parseUpload has attached its listeners, so the payload fails one turn later.
        setImmediate(() => payload.destroy(error));
      }
    };

    parser.on('field', (name, value, info) => {
      if (fileSeen) {
        fail(
          new HttpError(
            400,
            'FIELD_AFTER_FILE',
            `field ${JSON.stringify(name)} arrived after the payload file: send every field before the file`,
          ),
        );
        return;
      }
      try {
        assertSafeFieldName(name);
      } catch (error) {
        fail(error as HttpError);
        return;
      }
      if (info.valueTruncated) {
        fail(
          new HttpError(
            413,
            'FIELD_TOO_LARGE',
            `field ${JSON.stringify(name)} is larger than ${limits.maxFieldBytes} bytes: shorten it`,
          ),
        );
        return;
      }
      fields[name] = value;
    });

    parser.on('file', (name, stream) => {
      if (fileSeen) {
        stream.resume();
        fail(
          new HttpError(
            400,
            'TOO_MANY_FILES',
            'the request carries more than one file: send exactly one file part named payload',
          ),
        );
        return;
      }
      if (name !== 'payload') {
        stream.resume();
        fail(
          new HttpError(
            400,
            'UNEXPECTED_FILE',
            `unexpected file part ${JSON.stringify(name)}: name the file part payload`,
          ),
        );
        return;
      }
      fileSeen = true;
      stream.on('limit', () => {
        fail(
          new HttpError(
            413,
            'PAYLOAD_TOO_LARGE',
            `payload is larger than the maximum of ${limits.maxPayloadBytes} bytes: shrink the component or raise DEPLOY_MAX_PAYLOAD_BYTES`,
          ),
        );
      });
      stream.on('error', (error: Error) =>
        fail(new HttpError(400, 'UPLOAD_FAILED', `upload failed: ${error.message}`)),
      );
      // The payload ends only when the whole form has been parsed, so a limit or a stray part
      // after the file still fails the upload instead of arriving after a clean end.
      stream.pipe(payload, { end: false });
      settled = true;
      const length = Number(request.headers['content-length']);
      resolve({ fields, payload, declaredBytes: Number.isFinite(length) ? length : null });
    });

    parser.on('fieldsLimit', () => {
      fail(
        new HttpError(
          400,
          'TOO_MANY_FIELDS',
          `the request has more than ${limits.maxFields} fields: send only the deploy options`,
        ),
      );
    });
    parser.on('filesLimit', () => {
      fail(
        new HttpError(
          400,
          'TOO_MANY_FILES',
          'the request carries more than one file: send exactly one file part named payload',
        ),
      );
    });
    parser.on('partsLimit', () => {
      fail(
        new HttpError(
          400,
          'TOO_MANY_FIELDS',
          `the request has more than ${limits.maxFields + 1} parts: send only the deploy options and the payload`,
        ),
      );
    });
    parser.on('error', (error: Error) => {
      fail(
        new HttpError(400, 'MALFORMED_MULTIPART', `malformed multipart request: ${error.message}`),
      );
    });
    parser.on('close', () => {
      if (!fileSeen) {
        fail(
          new HttpError(
            400,
            'MISSING_PAYLOAD',
            'missing payload: add a file part named payload after the fields',
          ),
        );
      } else if (!failed && !payload.destroyed) {
        payload.end();
      }
    });
    // A client that goes away mid-upload must fail the deploy, not leave it waiting.
    request.on('aborted', () => {
      fail(
        new HttpError(
          499,
          'CLIENT_ABORTED',
          'the client closed the connection before the upload finished',
        ),
      );
    });
    request.on('close', () => {
      if (!request.complete) {
        fail(
          new HttpError(
            499,
            'CLIENT_ABORTED',
            'the client closed the connection before the upload finished',
          ),
        );
      }
    });
    request.pipe(parser);
  });
}

async function parseJsonUpload(
  request: IncomingMessage,
  limits: UploadLimits,
): Promise<ParsedUpload> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > limits.maxJsonBodyBytes) {
      request.resume();
      throw new HttpError(
        413,
        'BODY_TOO_LARGE',
        `JSON body is larger than ${limits.maxJsonBodyBytes} bytes: upload large components as multipart/form-data`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'INVALID_JSON', `invalid JSON body: ${(error as Error).message}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(
      400,
      'INVALID_JSON',
      'invalid JSON body: send an object with the deploy options and a base64 payload',
    );
  }
  const fields: Record<string, unknown> = Object.create(null);
  let encoded: unknown;
  for (const [name, value] of Object.entries(body)) {
    assertSafeFieldName(name);
    if (name === 'payload') encoded = value;
    else fields[name] = value;
  }
  if (typeof encoded !== 'string' || encoded.length === 0) {
    throw new HttpError(
      400,
      'MISSING_PAYLOAD',
      'missing payload: send the gzip tarball base64-encoded in the payload property',
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    throw new HttpError(400, 'INVALID_PAYLOAD', 'invalid payload: it is not base64');
  }
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length > limits.maxPayloadBytes) {
    throw new HttpError(
      413,
      'PAYLOAD_TOO_LARGE',
      `payload is larger than the maximum of ${limits.maxPayloadBytes} bytes`,
    );
  }
  return { fields, payload: Readable.from([bytes]), declaredBytes: bytes.length };
}
