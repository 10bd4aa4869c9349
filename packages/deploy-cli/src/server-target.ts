import { UsageError } from './errors.js';

/** Target URL and credentials of the requests. */
export interface ConnectionOptions {
  /** Base URL of a Harper node's HTTP port, such as `https://node-1.example.com:9926`. */
  target: string;
  /** Basic auth user. Credentials in the target URL are used when this is unset. */
  username?: string;
  /** Basic auth password. Never printed. */
  password?: string;
}

/** A validated target: its base URL with the credentials moved into an Authorization header. */
export interface ServerTarget {
  /** The base URL without user info, query or fragment. Its path ends in `/`. */
  baseUrl: URL;
  /** The `Authorization` header value, or `undefined` when no credentials were given. */
  authorization: string | undefined;
}

/**
 * Validates the target URL and builds the Basic auth header. Throws UsageError for a URL that
 * does not parse, a protocol other than http or https, or a user without a password. The
 * message never contains the URL, because it may carry credentials.
 */
export function resolveServerTarget(options: ConnectionOptions): ServerTarget {
  let url: URL;
  try {
    url = new URL(options.target);
  } catch {
    throw new UsageError('invalid target URL: expected a URL such as https://node-1:9926');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `invalid target URL: the protocol must be http or https, not ${url.protocol}`,
    );
  }

  let username = options.username;
  let password = options.password;
  if (username === undefined && password === undefined && url.username !== '') {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  }
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError('a username and a password must be given together');
  }

  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) {
    url.pathname = `${url.pathname}/`;
  }

  const authorization =
    username === undefined
      ? undefined
      : `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return { baseUrl: url, authorization };
}

/** Formats the target for messages and reattach hints: no credentials, no trailing slash. */
export function formatTarget(target: ServerTarget): string {
  return target.baseUrl.href.replace(/\/$/, '');
}

/**
 * Builds the URL of a route below the target. Each path segment is percent-encoded, and query
 * parameters that are `undefined` are left out.
 */
export function buildEndpointUrl(
  target: ServerTarget,
  segments: readonly string[],
  query: Readonly<Record<string, string | number | undefined>> = {},
): URL {
  const url = new URL(segments.map(encodeURIComponent).join('/'), target.baseUrl);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) {
      url.searchParams.set(name, String(value));
    }
  }
  return url;
}
