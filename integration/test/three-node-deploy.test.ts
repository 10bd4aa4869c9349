// A deployment to a real three-node Harper cluster, driven through the harper-deploy CLI.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarperCluster } from '../src/harness/cluster.js';
import {
  cliPath,
  createCluster,
  fixtureCopy,
  getJson,
  helloOn,
  multipartBody,
  NPM_INSTALL,
  type PublicRow,
  packFolder,
  readEvents,
  readNodeFile,
  runCli,
  waitForTerminalRow,
} from './support.js';

/** Returns the files under `folder`, at any depth, of at least `bytes` bytes. */
async function filesAtLeast(folder: string, bytes: number): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await stat(path)).size >= bytes) found.push(path);
  }
  return found;
}

let cluster: HarperCluster;
let deploymentId: string;
let cliEvents: Array<{ id?: number; event: string; data: Record<string, unknown> }>;
let cliExitCode: number | null;
let fixture: string;

beforeAll(async () => {
  cluster = createCluster('three-node', 3, 1);
  await cluster.start({ fresh: true });
  fixture = await fixtureCopy('2.0.0');
  const result = await runCli(
    ['deploy', fixture, '--target', cluster.nodes[0]!.httpUrl, '--project', 'hello-app', '--json'],
    { HARPER_USERNAME: cluster.username, HARPER_PASSWORD: cluster.password },
  );
  cliExitCode = result.code;
  cliEvents = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
  const last = cliEvents.at(-1) as {
    data?: { result?: { deployment_id?: string } };
    deployment_id?: string;
  };
  deploymentId = last.deployment_id ?? last.data?.result?.deployment_id ?? '';
  if (!deploymentId) throw new Error(`the CLI printed no deployment id; stderr: ${result.stderr}`);
}, 240_000);

afterAll(async () => {
  if (cluster) {
    for (const { node, peakBytes } of await cluster.peakMemoryBytes()) {
      console.log(
        `peak RSS of ${node}: ${peakBytes === null ? 'unknown' : `${(peakBytes / 1024 / 1024).toFixed(0)} MiB`}`,
      );
    }
  }
  await cluster?.stop();
  if (fixture) await rm(fixture, { recursive: true, force: true });
}, 60_000);

describe('three-node deploy from node A', () => {
  it('exits 0 and streams install lines live', () => {
    expect(cliExitCode).toBe(0);
    const install = cliEvents.filter((event) => event.event === 'install');
    expect(install.length).toBeGreaterThan(0);
  });

  it('answers with the new version on every node', async () => {
    for (let index = 0; index < 3; index++) {
      const hello = await helloOn(cluster, index);
      expect(hello, `node ${index}`).toEqual({ message: 'hello, Harper', version: '2.0.0' });
    }
  });

  it('replicates the row and its payload blob to every peer', async () => {
    for (const index of [1, 2]) {
      const row = await waitForTerminalRow(cluster, index, deploymentId);
      expect(row.payload_blob_present, `node ${index}`).toBe(true);
      expect(row.payload_hash, `node ${index}`).toMatch(/^[0-9a-f]{64}$/);
      expect(row.status, `node ${index}`).toBe('success');
    }
  });

  it('records one peer result per node with real timestamps', async () => {
    const row = await waitForTerminalRow(cluster, 0, deploymentId);
    expect(row.peer_results).toHaveLength(3);
    const byNode = new Map(row.peer_results.map((result) => [result.node, result]));
    for (const node of cluster.nodes) {
      const result = byNode.get(node.name);
      expect(result, node.name).toBeDefined();
      expect(result?.status, node.name).toBe('success');
      expect(result?.error ?? null, node.name).toBeNull();
      expect(result?.started_at, node.name).toBeGreaterThanOrEqual(row.started_at);
      expect(result?.completed_at, node.name).toBeGreaterThanOrEqual(
        result?.started_at ?? Infinity,
      );
      expect(result?.completed_at, node.name).toBeLessThanOrEqual(row.completed_at ?? 0);
    }
    expect(byNode.get(cluster.nodes[0]!.name)?.origin).toBe(true);
    expect(byNode.get(cluster.nodes[1]!.name)?.origin ?? false).toBe(false);
  });

  it('replays the event log over SSE from node B', async () => {
    const response = await fetch(`${cluster.nodes[1]!.httpUrl}/deployments/${deploymentId}`, {
      headers: { authorization: cluster.authorization, accept: 'text/event-stream' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readEvents(response);
    const origin = await getJson<PublicRow>(cluster, 0, `/deployments/${deploymentId}`);
    const logged = events.filter((event) => event.id !== null);
    expect(logged.map((event) => event.id)).toEqual(origin.body.event_log.map((entry) => entry.id));
    expect(logged.some((event) => event.event === 'install')).toBe(true);
    expect(events.at(-1)?.event).toBe('done');
    expect((events.at(-1)?.data.result as { status?: string } | undefined)?.status).toBe('success');
  });

  it('resumes the SSE replay after Last-Event-ID without duplicates', async () => {
    const origin = await getJson<PublicRow>(cluster, 0, `/deployments/${deploymentId}`);
    const middle = origin.body.event_log[Math.floor(origin.body.event_log.length / 2)]!.id;
    const response = await fetch(`${cluster.nodes[2]!.httpUrl}/deployments/${deploymentId}`, {
      headers: {
        authorization: cluster.authorization,
        accept: 'text/event-stream',
        'last-event-id': String(middle),
      },
    });
    const events = (await readEvents(response)).filter((event) => event.id !== null);
    expect(events.map((event) => event.id)).toEqual(
      origin.body.event_log.filter((entry) => entry.id > middle).map((entry) => entry.id),
    );
  });

  it('sends peers only the allow-listed operation fields', async () => {
    const record = JSON.parse(
      await readNodeFile(cluster, 1, `deploy-tracking/prepared/${deploymentId}.json`),
    ) as {
      received_fields: string[];
    };
    const allowed = [
      'operation',
      '_deploymentId',
      'project',
      'package',
      'restart',
      'install_command',
      'install_timeout',
      'install_allow_scripts',
    ];
    expect(record.received_fields.every((field) => allowed.includes(field))).toBe(true);
    expect(record.received_fields).toContain('_deploymentId');
    expect(record.received_fields).not.toContain('payload');
  });

  it('rejects a replicated operation that carries a payload', async () => {
    const response = await fetch(`${cluster.nodes[1]!.httpUrl}/deploy_peer`, {
      method: 'POST',
      headers: { authorization: cluster.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'deploy_component',
        _deploymentId: deploymentId,
        project: 'hello-app',
        payload: 'H4sI',
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/payload/);
  });

  it('bounds 3000 install lines to 200 events on every node', async () => {
    const noisy = await fixtureCopy('2.1.0');
    try {
      const payload = await packFolder(noisy);
      const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
        method: 'POST',
        headers: { authorization: cluster.authorization },
        body: multipartBody(
          {
            project: 'hello-app',
            restart: 'none',
            install_command: `node -e "for (let i = 0; i < 3000; i++) console.log('install line ' + i)" && ${NPM_INSTALL}`,
          },
          payload,
        ),
      });
      const body = (await response.json()) as { deployment_id: string };
      const row = await waitForTerminalRow(cluster, 0, body.deployment_id);
      expect(row.status).toBe('success');
      expect(row.event_log.length).toBeLessThanOrEqual(200);
      const markers = row.event_log.filter((entry) => entry.event === 'truncated');
      expect(markers).toHaveLength(1);
      const markerIndex = row.event_log.findIndex((entry) => entry.event === 'truncated');
      expect(markerIndex).toBe(20);
      expect(row.event_log[0]?.id).toBe(1);
      const lastId = row.event_log.at(-1)!.id;
      const keptAfterMarker = row.event_log.length - markerIndex - 1;
      expect(markers[0]?.data.dropped_events).toBe(lastId - 20 - keptAfterMarker);
      const lines = row.event_log
        .filter((entry) => entry.event === 'install')
        .map((entry) => entry.data.line);
      expect(lines).toContain('install line 2999');
      expect(lines).toContain('install line 0');
      for (const index of [1, 2]) {
        const copy = await waitForTerminalRow(cluster, index, body.deployment_id);
        expect(copy.status, `node ${index}`).toBe(row.status);
        expect(
          copy.event_log.map((entry) => entry.id),
          `node ${index}`,
        ).toEqual(row.event_log.map((entry) => entry.id));
      }
    } finally {
      await rm(noisy, { recursive: true, force: true });
    }
  });

  it('fetches the payload on peers before replication', async () => {
    const payload = await packFolder(fixture);
    const scriptDir = await mkdtemp(join(tmpdir(), 'wait-for-spools-'));
    const script = join(scriptDir, 'wait-for-spools.cjs');
    // Runs as the install command. On the origin, it exits 0 once every peer's staging folder
    // contains a payload spool of the full size, and 3 after 60 s. The origin replicates only after
    // its install, so the deploy succeeds only if the peers fetched the payload before that.
    await writeFile(
      script,
      `const { readdirSync, statSync } = require('node:fs');
const [origin, size, ...folders] = process.argv.slice(2);
if (process.env.NODE_HOSTNAME !== origin) process.exit(0);
const spooled = (folder) => {
  try {
    return readdirSync(folder).some((name) => name.endsWith('.tgz') && statSync(folder + '/' + name).size === Number(size));
  } catch {
    return false;
  }
};
const deadline = Date.now() + 60000;
setInterval(() => {
  if (folders.every(spooled)) process.exit(0);
  if (Date.now() > deadline) {
    console.error('peers did not fetch the payload: ' + folders.filter((folder) => !spooled(folder)).join(', '));
    process.exit(3);
  }
}, 50);
`,
    );
    const peerStaging = [1, 2].map((index) =>
      join(cluster.nodes[index]!.rootPath, 'deploy-tracking', 'staging'),
    );
    try {
      const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
        method: 'POST',
        headers: { authorization: cluster.authorization },
        body: multipartBody(
          {
            project: 'hello-app',
            restart: 'none',
            install_command: `node ${script} ${cluster.nodes[0]!.name} ${payload.length} ${peerStaging.join(' ')} && ${NPM_INSTALL}`,
          },
          payload,
        ),
      });
      const body = (await response.json()) as { deployment_id: string };
      const row = await waitForTerminalRow(cluster, 0, body.deployment_id);

      expect(row.error).toBeNull();
      expect(row.status).toBe('success');
      for (const index of [1, 2]) {
        const prepared = JSON.parse(
          await readNodeFile(
            cluster,
            index,
            join('deploy-tracking', 'prepared', `${body.deployment_id}.json`),
          ),
        ) as { result: { status: string }; payload_wait_ms: number };
        expect(prepared.result.status, `node ${index}`).toBe('success');
        expect(typeof prepared.payload_wait_ms, `node ${index}`).toBe('number');
      }
      for (const folder of peerStaging) {
        const spools = (await readdir(folder)).filter((name) => name.endsWith('.tgz'));
        expect(spools, folder).toEqual([]);
      }
    } finally {
      await rm(scriptDir, { recursive: true, force: true });
    }
  });

  it('sends the payload blob to each peer once', async () => {
    const padded = await fixtureCopy('2.0.0');
    try {
      // Random bytes do not compress, so the blob is larger than every other blob of the suite.
      await writeFile(join(padded, 'padding.bin'), randomBytes(4 * 1024 * 1024));
      const payload = await packFolder(padded);
      const response = await fetch(`${cluster.nodes[0]!.httpUrl}/deploy_component`, {
        method: 'POST',
        headers: { authorization: cluster.authorization },
        body: multipartBody(
          { project: 'hello-app', restart: 'none', install_command: NPM_INSTALL },
          payload,
        ),
      });
      const body = (await response.json()) as { deployment_id: string };
      const row = await waitForTerminalRow(cluster, 0, body.deployment_id);
      expect(row.status).toBe('success');

      // Harper writes each blob it receives to its own file under the node's blobs folder.
      for (const index of [1, 2]) {
        await waitForTerminalRow(cluster, index, body.deployment_id);
        const copies = await filesAtLeast(
          join(cluster.nodes[index]!.rootPath, 'blobs'),
          payload.length,
        );
        expect(copies, `node ${index}`).toHaveLength(1);
      }
    } finally {
      await rm(padded, { recursive: true, force: true });
    }
  });

  it('finishes the row on every node after the CLI is killed mid-deploy', async () => {
    const slow = await fixtureCopy('2.2.0');
    try {
      const child = spawn(
        process.execPath,
        [
          cliPath,
          'deploy',
          slow,
          '--target',
          cluster.nodes[0]!.httpUrl,
          '--project',
          'hello-app',
          '--restart',
          'none',
          '--install-command',
          `node -e "console.log('installing'); setTimeout(() => console.log('installed'), 3000)" && ${NPM_INSTALL}`,
          '--json',
        ],
        {
          env: {
            ...process.env,
            HARPER_USERNAME: cluster.username,
            HARPER_PASSWORD: cluster.password,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      await new Promise<void>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
          if (output.includes('"install"')) resolve();
        });
        child.on('exit', () =>
          reject(new Error(`the CLI exited before the install started: ${output}`)),
        );
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const listing = await getJson<{ deployments: PublicRow[] }>(
        cluster,
        0,
        '/deployments?project=hello-app&limit=1',
      );
      const killedId = listing.body.deployments[0]!.deployment_id;
      expect(killedId).not.toBe(deploymentId);
      for (let index = 0; index < 3; index++) {
        const row = await waitForTerminalRow(cluster, index, killedId);
        expect(row.status, `node ${index}`).toBe('success');
        expect(row.completed_at, `node ${index}`).not.toBeNull();
      }
    } finally {
      await rm(slow, { recursive: true, force: true });
    }
  });
});
