// An error that maps to an HTTP response: status, stable code, and a message that names the bad
// value and the fix.
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.details = options.details;
  }
}

/** Builds the JSON body every error response carries. */
export function errorBody(error: HttpError): string {
  return JSON.stringify({ error: error.message, code: error.code, ...error.details });
}
