import { randomBytes } from 'node:crypto';

/** The file part of a multipart form, which comes after all fields. */
export interface MultipartFilePart {
  name: string;
  fileName: string;
  contentType: string;
}

/**
 * The bytes around the file content of a `multipart/form-data` body. A body is the preamble, then
 * the file's bytes, then the epilogue, so the file itself can be streamed.
 */
export interface MultipartFraming {
  /** The `Content-Type` header value, with the boundary. */
  contentType: string;
  /** The field parts, then the headers of the file part. */
  preamble: Buffer;
  /** The end of the file part and the closing boundary. */
  epilogue: Buffer;
}

/** Builds the framing of a multipart body whose fields precede its single file part. */
export function createMultipartFraming(
  fields: ReadonlyArray<readonly [name: string, value: string]>,
  file: MultipartFilePart,
): MultipartFraming {
  const boundary = `harper-deploy-${randomBytes(16).toString('hex')}`;
  let preamble = '';
  for (const [name, value] of fields) {
    preamble += `--${boundary}\r\n`;
    preamble += `Content-Disposition: form-data; name="${escapeQuoted(name)}"\r\n\r\n`;
    preamble += `${value}\r\n`;
  }
  preamble += `--${boundary}\r\n`;
  preamble += `Content-Disposition: form-data; name="${escapeQuoted(file.name)}"; filename="${escapeQuoted(file.fileName)}"\r\n`;
  preamble += `Content-Type: ${file.contentType}\r\n\r\n`;

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    preamble: Buffer.from(preamble, 'utf8'),
    epilogue: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  };
}

/**
 * Percent-encodes `"`, CR and LF in a quoted header parameter, so a value cannot end the
 * parameter or the header line.
 */
function escapeQuoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
