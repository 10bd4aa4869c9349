// Helpers shared by the integration tests: cluster setup, fixture packing, deploy requests and
// SSE reading against real Harper nodes.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { type ClientRequest, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import * as tarFs from 'tar-fs';
import { HarperCluster } from '../src/harness/cluster.js';

export const integrationDir = fileURLToPath(new URL('..', import.meta.url));
export const fixtureDir = join(integrationDir, 'fixtures', 'hello-app');
export const cliPath = join(integrationDir, '..', 'packages', 'deploy-cli', 'dist', 'cli.js');

/** The fixture's own install, for tests that prepend commands to it through install_command. */
export const NPM_INSTALL = 'npm install --omit=dev --no-audit --no-fund --ignore-scripts';

/** Environment that keeps the tests' deployments fast to fail where a test waits for a failure. */
export const TEST_NODE_ENV = {
  DEPLOY_PEER_ROW_TIMEOUT_MS: '20000',
  DEPLOY_RESTART_TIMEOUT_MS: '120000',
  DEPLOY_SSE_HEARTBEAT_MS: '2000',
};

export function createCluster(
  name: string,
  nodes: number,
  subnet: number,
  env: Record<string, string> = {},
): HarperCluster {
  return new HarperCluster({
    nodes,
    subnet,
    // Outside the component folder, so Harper does not scan the nodes' own data as component files.
    baseDir: join(integrationDir, '..', '.cluster', `test-${name}`),
    env: { ...TEST_NODE_ENV, ...env },
  });
}

/** Copies the fixture to a temporary folder, with its VERSION file set to `version`. */
export async function fixtureCopy(
  version: string,
  changes: Record<string, string> = {},
): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'hello-app-'));
  await cp(fixtureDir, directory, { recursive: true });
  await writeFile(join(directory, 'VERSION'), `${version}\n`);
  for (const [file, content] of Object.entries(changes))
    await writeFile(join(directory, file), content);
  return directory;
}

/** Packs a folder into a gzip tarball in memory; fine for the small fixtures of the tests. */
export async function packFolder(directory: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pack = tarFs.pack(directory, { ignore: (name) => name.includes('node_modules') });
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export interface DeployFields {
  project: string;
  restart?: string;
  install_command?: string;
  install_timeout?: string;
  install_allow_scripts?: string;
  ignore_replication_errors?: string;
  [name: string]: string | undefined;
}

export function multipartBody(fields: DeployFields, payload: Buffer): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields))
    if (value !== undefined) form.append(name, value);
  form.append('payload', new Blob([payload], { type: 'application/gzip' }), 'payload.tar.gz');
  return form;
}

/**
 * Opens a multipart deploy request to node `index` whose body the test writes by hand, so it can
 * send part of a payload, pause or abort. With `stream`, it asks for the SSE response.
 */
export function openMultipartUpload(
  cluster: HarperCluster,
  index: number,
  boundary: string,
  options: { stream?: boolean } = {},
): ClientRequest {
  const target = new URL(`${cluster.nodes[index]!.httpUrl}/deploy_component`);
  return httpRequest({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'POST',
    headers: {
      authorization: cluster.authorization,
      ...(options.stream ? { accept: 'text/event-stream' } : {}),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
  });
}

export interface StreamedEvent {
  id: number | null;
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE response to its end and returns every event and the first chunk's text. */
export async function readEvents(
  response: Response,
): Promise<StreamedEvent[] & { firstChunk?: string }> {
  const events: StreamedEvent[] & { firstChunk?: string } = [];
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      events.push({
        id: message.id ? Number(message.id) : null,
        event: message.event ?? 'message',
        data: JSON.parse(message.data) as Record<string, unknown>,
      });
    },
  });
  const decoder = new TextDecoder();
  if (!response.body) return events;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      events.firstChunk ??= text;
      parser.feed(text);
    }
  } catch {
    // A stream cut by the origin's restart ends here; the caller reconnects.
  }
  return events;
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function getJson<T>(
  cluster: HarperCluster,
  index: number,
  path: string,
): Promise<{ status: number; body: T }> {
  const node = cluster.nodes[index];
  if (!node) throw new Error(`no node ${index}`);
  const response = await fetch(`${node.httpUrl}${path}`, {
    headers: { authorization: cluster.authorization },
  });
  return { status: response.status, body: (await response.json()) as T };
}

export interface PublicRow {
  deployment_id: string;
  project: string;
  status: string;
  phase: string | null;
  payload_blob_present: boolean;
  payload_hash: string | null;
  payload_size: number | null;
  event_log: Array<{ id: number; t: number; event: string; data: Record<string, unknown> }>;
  peer_results: Array<{
    node: string;
    status: string;
    error: unknown;
    started_at: number;
    completed_at: number;
    origin?: boolean;
  }>;
  origin_node: string;
  started_at: number;
  completed_at: number | null;
  error: { message: string; code: string; phase: string } | null;
}

const TERMINAL = new Set(['success', 'failed', 'rolled_back']);

/** Polls a node until its copy of the row is terminal; returns the row. */
export async function waitForTerminalRow(
  cluster: HarperCluster,
  index: number,
  deploymentId: string,
  timeoutMs = 120_000,
): Promise<PublicRow> {
  const deadline = Date.now() + timeoutMs;
  let last: PublicRow | null = null;
  while (Date.now() < deadline) {
    try {
      const { status, body } = await getJson<PublicRow>(
        cluster,
        index,
        `/deployments/${deploymentId}`,
      );
      if (status === 200) {
        last = body;
        if (TERMINAL.has(body.status)) return body;
      }
    } catch {
      // The node may be restarting its workers.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `deployment ${deploymentId} did not become terminal on node ${index} within ${timeoutMs} ms (last status ${last?.status})`,
  );
}

/** Fetches the fixture route on a node and returns its body, or null when it does not respond. */
export async function helloOn(
  cluster: HarperCluster,
  index: number,
): Promise<{ message: string; version: string } | null> {
  const node = cluster.nodes[index];
  if (!node) return null;
  try {
    const response = await fetch(`${node.httpUrl}/hello-app`, {
      headers: { authorization: cluster.authorization },
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) return null;
    return (await response.json()) as { message: string; version: string };
  } catch {
    return null;
  }
}

export async function readNodeFile(
  cluster: HarperCluster,
  index: number,
  relative: string,
): Promise<string> {
  const node = cluster.nodes[index];
  if (!node) throw new Error(`no node ${index}`);
  return readFile(join(node.rootPath, relative), 'utf8');
}
