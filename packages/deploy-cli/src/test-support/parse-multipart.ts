/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  fileName: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

/**
 * Splits a complete multipart/form-data body into parts. This is a test helper for well-formed
 * bodies, not a general parser: it throws when the boundary or a part's headers are missing.
 */
export function parseMultipart(body: Buffer, contentTypeHeader: string): MultipartPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentTypeHeader);
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) throw new Error(`no boundary in content-type ${contentTypeHeader}`);

  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Prefix CRLF so the first delimiter matches the same pattern as the others.
  const data = Buffer.concat([Buffer.from('\r\n'), body]);
  const parts: MultipartPart[] = [];
  let position = data.indexOf(delimiter);
  if (position === -1) throw new Error('no opening boundary');

  for (;;) {
    const afterDelimiter = position + delimiter.length;
    if (data.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headersStart = afterDelimiter + 2;
    const headersEnd = data.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) throw new Error('part without a header block');
    const next = data.indexOf(delimiter, headersEnd + 4);
    if (next === -1) throw new Error('part without a closing boundary');

    const headers = data.subarray(headersStart, headersEnd).toString('utf8');
    const disposition =
      /content-disposition:\s*form-data;\s*name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(
        headers,
      );
    if (disposition === null) throw new Error(`part without content-disposition: ${headers}`);
    const contentType = /content-type:\s*(.+)/i.exec(headers)?.[1]?.trim();
    parts.push({
      name: disposition[1] ?? '',
      fileName: disposition[2],
      contentType,
      body: data.subarray(headersEnd + 4, next),
    });
    position = next;
  }
  return parts;
}
