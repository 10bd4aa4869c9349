import { createReadStream } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionError, DeployInterruptedError } from './errors.js';
import {
  createHttpRequest,
  isSuccessStatus,
  readRejection,
  toConnectionError,
  waitForResponse,
} from './http-request.js';
import { createMultipartFraming } from './multipart-form.js';

/**
 * Time to wait for the server's response after a write error, in milliseconds. It covers a
 * response already in transit, not a slow server.
 */
export const EARLY_RESPONSE_GRACE_MS = 500;

/** Bytes of the payload handed to the socket so far. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

/** Options of uploadPayload. */
export interface UploadPayloadOptions {
  url: URL;
  authorization: string | undefined;
  /** Form fields, sent in this order before the payload. */
  fields: ReadonlyArray<readonly [name: string, value: string]>;
  /** Path of the gzipped tarball. */
  payloadPath: string;
  /** Size of the tarball in bytes, announced in `Content-Length` before it is read. */
  payloadBytes: number;
  /** The `filename` of the payload part. */
  fileName: string;
  /** Aborting destroys the request, so the server receives an incomplete upload. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
}

/** A finished upload and the server's 2xx response, still unread. */
export interface UploadedPayload {
  response: IncomingMessage;
  durationMs: number;
}

/** Thrown inside the body stream when the payload file's size differs from the size measured before the upload. */
class PayloadSizeChangedError extends Error {
  override name = 'PayloadSizeChangedError';
}

/**
 * Streams a multipart POST: the fields, then the payload file read from disk, so the payload is
 * never held in memory whole. Resolves once the body is sent and a 2xx response has arrived.
 *
 * A non-2xx response rejects with ServerRejectedError, even when it arrives before the upload
 * ends. Socket, DNS and TLS failures reject with ConnectionError, and an abort rejects with
 * DeployInterruptedError, stage `upload`.
 */
export async function uploadPayload(options: UploadPayloadOptions): Promise<UploadedPayload> {
  const framing = createMultipartFraming(options.fields, {
    name: 'payload',
    fileName: options.fileName,
    contentType: 'application/gzip',
  });
  const headers: OutgoingHttpHeaders = {
    accept: 'text/event-stream',
    'content-type': framing.contentType,
    'content-length': framing.preamble.length + options.payloadBytes + framing.epilogue.length,
  };
  if (options.authorization !== undefined) headers.authorization = options.authorization;

  const request = createHttpRequest({
    url: options.url,
    method: 'POST',
    headers,
    signal: options.signal,
  });
  const responsePromise = waitForResponse(request, options.url.origin);
  const startedAt = performance.now();

  async function* generateBody(): AsyncGenerator<Buffer> {
    yield framing.preamble;
    let sentBytes = 0;
    for await (const chunk of createReadStream(options.payloadPath)) {
      const buffer = chunk as Buffer;
      sentBytes += buffer.length;
      if (sentBytes > options.payloadBytes) break;
      yield buffer;
      options.onProgress?.({ sentBytes, totalBytes: options.payloadBytes });
    }
    if (sentBytes !== options.payloadBytes) {
      throw new PayloadSizeChangedError(
        `the payload ${options.payloadPath} changed size during the upload (expected ${options.payloadBytes} bytes)`,
      );
    }
    yield framing.epilogue;
  }

  const upload = pipeline(Readable.from(generateBody()), request);
  let uploadError: unknown;
  const uploadSettled = upload.then(
    () => undefined,
    (error: unknown) => {
      uploadError = error;
    },
  );

  // A response may arrive before the upload ends, for example an early rejection. A server that
  // rejects early may also close the connection while the body is still being written, so after a
  // write error the response still wins if it arrives within EARLY_RESPONSE_GRACE_MS.
  const responseOrFailure = new Promise<IncomingMessage>((resolve, reject) => {
    responsePromise.then(resolve, reject);
    upload.catch(async (error: unknown) => {
      if (options.signal?.aborted) return reject(error);
      const lateResponse = await Promise.race([
        responsePromise.catch(() => undefined),
        delay(EARLY_RESPONSE_GRACE_MS, undefined, { ref: false }).then(() => undefined),
      ]);
      if (lateResponse === undefined) reject(error);
      else resolve(lateResponse);
    });
  });

  let response: IncomingMessage;
  try {
    response = await responseOrFailure;
  } catch (error) {
    request.destroy();
    throw classifyUploadError(error, options);
  }

  if (!isSuccessStatus(response)) {
    const rejection = await readRejection(response);
    request.destroy();
    await uploadSettled;
    throw rejection;
  }

  await uploadSettled;
  if (uploadError !== undefined) {
    response.destroy();
    throw classifyUploadError(uploadError, options);
  }
  return { response, durationMs: performance.now() - startedAt };
}

function classifyUploadError(error: unknown, options: UploadPayloadOptions): Error {
  if (options.signal?.aborted) return new DeployInterruptedError('upload');
  if (error instanceof ConnectionError || error instanceof PayloadSizeChangedError) return error;
  return toConnectionError(error, options.url.origin);
}
