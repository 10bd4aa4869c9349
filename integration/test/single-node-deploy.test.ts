// A deployment to a single real Harper node over HTTP, with the event stream read directly.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarperCluster } from '../src/harness/cluster.js';
import {
  createCluster,
  fixtureCopy,
  helloOn,
  multipartBody,
  openMultipartUpload,
  packFolder,
  readEvents,
  readNodeFile,
  type StreamedEvent,
  waitForTerminalRow,
} from './support.js';

let cluster: HarperCluster;
let events: StreamedEvent[] = [];
let fixture: string;
let deploymentId: string;
let firstChunkBeforeFirstEvent = false;

beforeAll(async () => {
  cluster = createCluster('single-node', 1, 3);
  await cluster.start({ fresh: true });
  fixture = await fixtureCopy('1.5.0');
  const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
    method: 'POST',
    headers: { authorization: cluster.authorization, accept: 'text/event-stream' },
    body: multipartBody({ project: 'hello-app', restart: 'immediate' }, await packFolder(fixture)),
  });
  deploymentId = response.headers.get('x-deployment-id') ?? '';
  events = await readEvents(response);
  firstChunkBeforeFirstEvent =
    (events as { firstChunk?: string }).firstChunk?.startsWith(':') ?? false;
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  if (fixture) await rm(fixture, { recursive: true, force: true });
}, 60_000);

describe('single-node deploy', () => {
  it('starts the stream with a comment before any event', () => {
    expect(firstChunkBeforeFirstEvent).toBe(true);
  });

  it('streams every phase in order', () => {
    const started = events
      .filter((event) => event.event === 'phase' && event.data.status === 'start')
      .map((event) => event.data.phase);
    expect(started.slice(0, 4)).toEqual(['upload', 'extract', 'install', 'load']);
  });

  it('streams npm install output as install events', () => {
    const install = events.filter((event) => event.event === 'install');
    expect(install.length).toBeGreaterThan(0);
    expect(install.every((event) => event.data.manager === 'npm')).toBe(true);
  });

  it('ends with a success row and the new version live', async () => {
    const row = await waitForTerminalRow(cluster, 0, deploymentId);
    expect(row.status).toBe('success');
    expect(row.completed_at).toBeGreaterThanOrEqual(row.started_at);
    expect(row.peer_results).toHaveLength(1);
    expect(row.peer_results[0]?.origin).toBe(true);
    expect(await helloOn(cluster, 0)).toEqual({ message: 'hello, Harper', version: '1.5.0' });
  });

  it('rejects a deploy without credentials', async () => {
    const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
      method: 'POST',
      body: multipartBody({ project: 'hello-app' }, Buffer.from('x')),
    });
    expect(response.status).toBe(401);
  });

  it('rejects an unsafe project name', async () => {
    const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
      method: 'POST',
      headers: { authorization: cluster.authorization },
      body: multipartBody({ project: '../etc' }, await packFolder(fixture)),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('../etc');
  });

  it('fails a payload that is not gzip and keeps the live version', async () => {
    const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
      method: 'POST',
      headers: { authorization: cluster.authorization },
      body: multipartBody({ project: 'hello-app' }, Buffer.from('this is not a tarball')),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: string; deployment_id: string };
    expect(body.error).toMatch(/not a gzip tarball/);
    const row = await waitForTerminalRow(cluster, 0, body.deployment_id);
    expect(row.status).toBe('failed');
    expect(row.payload_blob_present).toBe(false);
    expect(await helloOn(cluster, 0)).toEqual({ message: 'hello, Harper', version: '1.5.0' });
  });

  it('fails a second file part and releases the project', async () => {
    const payload = await packFolder(fixture);
    const form = multipartBody({ project: 'second-file', restart: 'none' }, payload);
    form.append('payload', new Blob([payload]), 'again.tar.gz');
    const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
      method: 'POST',
      headers: { authorization: cluster.authorization },
      body: form,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; deployment_id: string };
    expect(body.error).toMatch(/more than one file/);
    const row = await waitForTerminalRow(cluster, 0, body.deployment_id);
    expect(row.status).toBe('failed');
    const retry = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
      method: 'POST',
      headers: { authorization: cluster.authorization },
      body: multipartBody({ project: 'second-file', restart: 'none' }, payload),
    });
    expect(retry.status).toBe(200);
  });

  it('fails a field sent after the file', async () => {
    const form = new FormData();
    form.append('project', 'late-field');
    form.append('payload', new Blob([await packFolder(fixture)]), 'payload.tar.gz');
    form.append('restart', 'none');
    const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
      method: 'POST',
      headers: { authorization: cluster.authorization },
      body: form,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /"restart" arrived after the payload file/,
    );
  });

  it('fails an aborted upload without an uncaught exception', async () => {
    const padded = await fixtureCopy('1.6.0');
    await writeFile(join(padded, 'padding.bin'), randomBytes(4 * 1024 * 1024));
    const payload = await packFolder(padded);
    await rm(padded, { recursive: true, force: true });
    const startedAt = new Date().toISOString();
    const boundary = 'abort-boundary';
    const upload = openMultipartUpload(cluster, 0, boundary, { stream: true });
    upload.on('error', () => undefined);
    const deploymentId = new Promise<string>((resolve) => {
      upload.on('response', (response) => resolve(String(response.headers['x-deployment-id'])));
    });
    upload.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="project"\r\n\r\nabort-app\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="payload"; filename="p.tgz"\r\n\r\n`,
    );
    upload.write(payload.subarray(0, Math.floor(payload.length / 2)));
    const id = await deploymentId;
    upload.destroy();

    const row = await waitForTerminalRow(cluster, 0, id);

    expect(row.status).toBe('failed');
    expect(row.error?.code).toBe('CLIENT_ABORTED');
    const log = await readNodeFile(cluster, 0, join('log', 'hdb.log'));
    const uncaught = log
      .split('\n')
      .filter((line) => line.slice(0, startedAt.length) >= startedAt)
      .filter((line) => line.includes('uncaughtException'));
    expect(uncaught).toEqual([]);
  });
});
