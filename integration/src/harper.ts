// The parts of Harper's component API this integration uses, typed structurally so the rest of
// the code does not depend on Harper's own declaration files.
import type { Readable } from 'node:stream';

export interface HarperUser {
  username?: string;
  role?: {
    role?: string;
    permission?: { super_user?: boolean; cluster_user?: boolean };
  };
}

export interface HarperRequest {
  url: string;
  method: string;
  headers: { get(name: string): string | null | undefined };
  user?: HarperUser | null;
  nodeRequest?: import('node:http').IncomingMessage;
}

export interface HarperResponse {
  status: number;
  /** A Headers instance: Harper sets headers of its own on some responses, such as a 401. */
  headers?: Headers;
  body?: string | Readable | AsyncIterable<string | Uint8Array>;
}

export interface HarperBlob {
  size?: number;
  stream(): ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;
}

export interface HarperTable<Row> {
  get(id: string): Promise<Row | undefined | null> | Row | undefined | null;
  put(id: string, row: Row): Promise<void> | void;
  patch?(id: string, update: Partial<Row>): Promise<void> | void;
  search(query: unknown): AsyncIterable<Row>;
  subscribe?(request: unknown): Promise<AsyncIterable<unknown>>;
}

export interface HarperServer {
  http(
    handler: (request: HarperRequest, next: (request: HarperRequest) => unknown) => unknown,
  ): void;
  operation(
    operation: Record<string, unknown>,
    context?: { user?: HarperUser | null },
    authorize?: boolean,
  ): Promise<unknown>;
  nodes?: Array<{ name: string; url: string }>;
  hostname?: string;
  config?: Record<string, unknown>;
}

export interface HarperLogger {
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
}

interface HarperGlobals {
  server: HarperServer;
  databases: Record<string, Record<string, unknown>>;
  logger: HarperLogger;
  createBlob(
    source: Readable | AsyncIterable<Uint8Array>,
    options?: { saveBeforeCommit?: boolean },
  ): HarperBlob;
}

/** Harper's globals, present in every module a component loads. */
export function harper(): HarperGlobals {
  return globalThis as unknown as HarperGlobals;
}
