// Faults on a real three-node cluster: killed peers and origins, payloads that stop arriving,
// replayed operations and failing installs.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarperCluster } from '../src/harness/cluster.js';
import {
  createCluster,
  fixtureCopy,
  getJson,
  helloOn,
  multipartBody,
  NPM_INSTALL,
  openMultipartUpload,
  type PublicRow,
  packFolder,
  waitForTerminalRow,
} from './support.js';

let cluster: HarperCluster;
let fixture: string;

beforeAll(async () => {
  cluster = createCluster('faults', 3, 4, {
    DEPLOY_PEER_RECEIVE_IDLE_TIMEOUT_MS: '3000',
    DEPLOY_PEER_ROW_TIMEOUT_MS: '5000',
  });
  await cluster.start({ fresh: true });
  fixture = await fixtureCopy('3.0.0');
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  if (fixture) await rm(fixture, { recursive: true, force: true });
}, 60_000);

async function deploy(
  fields: Record<string, string>,
  node = 0,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${cluster.nodes[node]!.httpUrl}/deploy_component`, {
    method: 'POST',
    headers: { authorization: cluster.authorization },
    body: multipartBody({ project: 'hello-app', ...fields }, await packFolder(fixture)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function sendToPeer(
  node: number,
  operation: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${cluster.nodes[node]!.httpUrl}/deploy_peer`, {
    method: 'POST',
    headers: { authorization: cluster.authorization, 'content-type': 'application/json' },
    body: JSON.stringify(operation),
  });
  const lines = (await response.text()).split('\n').filter((line) => line.trim() !== '');
  const last = JSON.parse(lines.at(-1) ?? '{}') as {
    type?: string;
    result?: Record<string, unknown>;
  };
  return last.result ?? {};
}

describe('faults on a three-node cluster', () => {
  it('fails only the node whose install fails', async () => {
    const failing = cluster.nodes[2]!.name;
    const result = await deploy({
      restart: 'none',
      install_command: `node -e "process.exit(process.env.NODE_HOSTNAME === '${failing}' ? 7 : 0)" && ${NPM_INSTALL}`,
    });
    expect(result.status).toBe(502);
    expect(String(result.body.error)).toContain(failing);
    const row = await waitForTerminalRow(cluster, 0, String(result.body.deployment_id));
    expect(row.status).toBe('failed');
    const byNode = new Map(row.peer_results.map((entry) => [entry.node, entry]));
    expect(byNode.get(failing)?.status).toBe('failed');
    expect(byNode.get(cluster.nodes[1]!.name)?.status).toBe('success');
    expect(byNode.get(cluster.nodes[0]!.name)?.status).toBe('success');
    // The origin keeps the new version; the failed peer keeps what it had, which was nothing.
    expect(existsSync(join(cluster.nodes[0]!.rootPath, 'components', 'hello-app', 'VERSION'))).toBe(
      true,
    );
    expect(existsSync(join(cluster.nodes[2]!.rootPath, 'components', 'hello-app'))).toBe(false);
  });

  it('turns peer failures into warnings when asked to', async () => {
    const failing = cluster.nodes[2]!.name;
    const result = await deploy({
      restart: 'none',
      ignore_replication_errors: 'true',
      install_command: `node -e "process.exit(process.env.NODE_HOSTNAME === '${failing}' ? 7 : 0)" && ${NPM_INSTALL}`,
    });
    expect(result.status).toBe(200);
    const row = await waitForTerminalRow(cluster, 0, String(result.body.deployment_id));
    expect(row.status).toBe('success');
    const warnings = row.event_log.filter((entry) => entry.event === 'warning');
    expect(warnings.some((entry) => JSON.stringify(entry.data).includes(failing))).toBe(true);
    expect(row.peer_results.find((entry) => entry.node === failing)?.status).toBe('failed');
  });

  it('answers a replayed operation without a second install', async () => {
    const result = await deploy({ restart: 'none' });
    const deploymentId = String(result.body.deployment_id);
    await waitForTerminalRow(cluster, 0, deploymentId);
    const operation = {
      operation: 'deploy_component',
      _deploymentId: deploymentId,
      project: 'hello-app',
      restart: 'none',
    };
    const first = await sendToPeer(1, operation);
    const second = await sendToPeer(1, operation);
    expect(first.status).toBe('success');
    expect(second.started_at).toBe(first.started_at);
    expect(second.completed_at).toBe(first.completed_at);
  });

  it('fails a peer whose row never arrives, naming the row', async () => {
    const result = await sendToPeer(1, {
      operation: 'deploy_component',
      _deploymentId: '00000000-0000-4000-8000-000000000000',
      project: 'hello-app',
    });
    expect(result.status).toBe('failed');
    expect(JSON.stringify(result.error)).toMatch(/did not arrive|not found|never/i);
  });

  it('fails a peer whose blob stops arriving with blob stream idle timeout', async () => {
    const payload = await packFolder(await fixtureCopy('3.0.1'));
    const boundary = 'stall-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="project"\r\n\r\nhello-app\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="payload"; filename="p.tgz"\r\nContent-Type: application/gzip\r\n\r\n`,
    );
    const upload = openMultipartUpload(cluster, 0, boundary, { stream: true });
    // Half the payload, then nothing: the origin's blob stays incomplete.
    upload.write(head);
    upload.write(payload.subarray(0, Math.floor(payload.length / 2)));
    const deploymentId = await new Promise<string>((resolve, reject) => {
      upload.on('response', (response) => resolve(String(response.headers['x-deployment-id'])));
      upload.on('error', reject);
    });
    try {
      const result = await sendToPeer(1, {
        operation: 'deploy_component',
        _deploymentId: deploymentId,
        project: 'hello-app',
      });
      expect(result.status).toBe('failed');
      expect(JSON.stringify(result.error)).toContain('blob stream idle timeout');
    } finally {
      upload.destroy();
    }
    const row = await waitForTerminalRow(cluster, 0, deploymentId);
    expect(row.status).toBe('failed');
    expect(row.payload_blob_present).toBe(false);
  });

  it('records a peer killed mid-install as failed', async () => {
    const victim = 2;
    const pending = deploy({
      restart: 'none',
      install_command: `node -e "setTimeout(() => {}, 6000)" && ${NPM_INSTALL}`,
    });
    // The origin installs for 6 s before it replicates; the peers then install for 6 s more.
    const deadline = Date.now() + 60_000;
    let replicating = false;
    while (!replicating && Date.now() < deadline) {
      const listing = await getJson<{ deployments: PublicRow[] }>(
        cluster,
        0,
        '/deployments?project=hello-app&limit=1',
      );
      replicating = listing.body.deployments[0]?.status === 'replicating';
      if (!replicating) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(replicating).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await cluster.killNode(victim);
    const result = await pending;
    expect(result.status).toBe(502);
    const row = await waitForTerminalRow(cluster, 0, String(result.body.deployment_id));
    const byNode = new Map(row.peer_results.map((entry) => [entry.node, entry]));
    expect(byNode.get(cluster.nodes[victim]!.name)?.status).toBe('failed');
    expect(byNode.get(cluster.nodes[victim]!.name)?.error).not.toBeNull();
    expect(byNode.get(cluster.nodes[1]!.name)?.status).toBe('success');
    const onSurvivor = await waitForTerminalRow(cluster, 1, String(result.body.deployment_id));
    expect(onSurvivor.status).toBe('failed');
    await cluster.startNode(victim);
  });

  it('finishes the row on every node after the origin is killed mid-install', async () => {
    const origin = 1;
    const pending = fetch(`${cluster.nodes[origin]!.httpUrl}/deploy_component`, {
      method: 'POST',
      headers: { authorization: cluster.authorization },
      body: multipartBody(
        {
          project: 'hello-app',
          restart: 'none',
          install_command: `node -e "setTimeout(() => {}, 20000)"`,
        },
        await packFolder(fixture),
      ),
    }).catch((error: unknown) => error);
    let deploymentId = '';
    const deadline = Date.now() + 30_000;
    while (!deploymentId && Date.now() < deadline) {
      const listing = await getJson<{ deployments: PublicRow[] }>(
        cluster,
        origin,
        '/deployments?status=installing&limit=1',
      );
      deploymentId = listing.body.deployments[0]?.deployment_id ?? '';
      if (!deploymentId) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(deploymentId).not.toBe('');
    await cluster.killNode(origin);
    await pending;
    await cluster.startNode(origin);
    for (let index = 0; index < 3; index++) {
      const row = await waitForTerminalRow(cluster, index, deploymentId);
      expect(row.status, `node ${index}`).toBe('failed');
      expect(row.error?.code, `node ${index}`).toBe('ORIGIN_RESTARTED');
    }
  });

  it('keeps serving the previous version after a failed deploy', async () => {
    const good = await deploy({ restart: 'immediate' });
    await waitForTerminalRow(cluster, 0, String(good.body.deployment_id));
    const before = await helloOn(cluster, 0);
    expect(before?.version).toBe('3.0.0');
    const broken = await deploy({ restart: 'immediate', install_command: 'exit 1' });
    expect(broken.status).toBe(422);
    expect(await helloOn(cluster, 0)).toEqual(before);
  });

  it('completes the deploy on a peer restarted while its blob streams', async () => {
    const victim = 2;
    // The install command blocks every node's install until the test has restarted the victim, so
    // the origin replicates only once the victim is back. It gives up (exit 3) after 120 s.
    const gateDir = await mkdtemp(join(tmpdir(), 'restart-gate-'));
    const gate = join(gateDir, 'victim-restarted');
    const waitScript = join(gateDir, 'wait-for-gate.cjs');
    await writeFile(
      waitScript,
      `const { existsSync } = require('node:fs');
const deadline = Date.now() + 120000;
setInterval(() => {
  if (existsSync(process.argv[2])) process.exit(0);
  if (Date.now() > deadline) process.exit(3);
}, 100);
`,
    );
    const large = await fixtureCopy('3.1.0');
    // Random bytes do not compress, so the payload stays about 24 MiB on the wire.
    await writeFile(join(large, 'padding.bin'), randomBytes(24 * 1024 * 1024));
    const payload = await packFolder(large);
    await rm(large, { recursive: true, force: true });
    const boundary = 'slow-boundary';
    const upload = openMultipartUpload(cluster, 0, boundary);
    const answered = new Promise<{ status: number; body: Record<string, unknown> }>(
      (resolve, reject) => {
        upload.on('response', (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: JSON.parse(text) as Record<string, unknown>,
            }),
          );
        });
        upload.on('error', reject);
      },
    );
    upload.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="project"\r\n\r\nhello-app\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="restart"\r\n\r\nnone\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="install_command"\r\n\r\nnode ${waitScript} ${gate} && ${NPM_INSTALL}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="payload"; filename="p.tgz"\r\n\r\n`,
    );
    // About 4 s of upload: the peer is killed after the first second and started again while
    // the rest of the blob is still being written on the origin.
    const sliceBytes = Math.ceil(payload.length / 40);
    let killed: Promise<void> | null = null;
    for (let offset = 0, slice = 0; offset < payload.length; offset += sliceBytes, slice++) {
      upload.write(payload.subarray(offset, offset + sliceBytes));
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (slice === 10) killed = cluster.killNode(victim).then(() => cluster.startNode(victim));
    }
    upload.end(`\r\n--${boundary}--\r\n`);
    await killed;
    await writeFile(gate, 'restarted');
    const result = await answered;
    const row = await waitForTerminalRow(cluster, 0, String(result.body.deployment_id));
    await rm(gateDir, { recursive: true, force: true });
    const peer = row.peer_results.find((entry) => entry.node === cluster.nodes[victim]!.name);

    expect(peer?.error ?? null).toBeNull();
    expect(peer?.status).toBe('success');
    expect(row.status).toBe('success');
    const padding = await readFile(
      join(cluster.nodes[victim]!.rootPath, 'components', 'hello-app', 'padding.bin'),
    );
    expect(padding.length).toBe(24 * 1024 * 1024);
    const resent = row.event_log.filter((entry) => entry.event === 'warning');
    console.log(
      `payload sent again: ${resent.length > 0 ? JSON.stringify(resent[0]?.data) : 'no'}`,
    );
  });
});
