#!/usr/bin/env node
// `pnpm demo`: starts a local three-node Harper cluster, deploys the hello-app fixture with the
// harper-deploy CLI (live output), checks that its route responds on every node, and stops the
// cluster again.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const integrationDir = fileURLToPath(new URL('..', import.meta.url));
const cliPath = join(integrationDir, '..', 'packages', 'deploy-cli', 'dist', 'cli.js');
const { HarperCluster } = await import(join(integrationDir, 'dist', 'harness.js'));

const startedAt = Date.now();
const seconds = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
const cluster = new HarperCluster({
  nodes: 3,
  subnet: 2,
  baseDir: join(integrationDir, '..', '.cluster', 'demo'),
});
const fixture = await mkdtemp(join(tmpdir(), 'hello-app-demo-'));
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.error(`\n[demo] stopping the cluster (${seconds()})`);
  await cluster.stop({ clean: true });
  await rm(fixture, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(130));
process.on('SIGTERM', () => void stopAll(143));

try {
  console.error('[demo] starting a three-node Harper cluster on 127.0.2.2-4');
  await cluster.start({ fresh: true });
  for (const node of cluster.nodes) console.error(`[demo]   ${node.name}  ${node.httpUrl}`);
  console.error(`[demo] cluster ready (${seconds()})`);

  const version = `demo-${new Date().toISOString()}`;
  await cp(join(integrationDir, 'fixtures', 'hello-app'), fixture, { recursive: true });
  await writeFile(join(fixture, 'VERSION'), `${version}\n`);

  console.error(`[demo] deploying hello-app ${version} to ${cluster.nodes[0].httpUrl}\n`);
  const code = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cliPath, 'deploy', fixture, '--project', 'hello-app', '--target', cluster.nodes[0].httpUrl],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          HARPER_USERNAME: cluster.username,
          HARPER_PASSWORD: cluster.password,
        },
      },
    );
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`harper-deploy exited with ${code}`);

  console.error('\n[demo] GET /hello-app on every node:');
  let answered = 0;
  for (const node of cluster.nodes) {
    const response = await fetch(`${node.httpUrl}/hello-app`, {
      headers: { authorization: cluster.authorization },
    });
    const body = response.ok ? await response.json() : null;
    const ok = body?.version === version;
    if (ok) answered++;
    console.error(
      `[demo]   ${node.name}  ${response.status}  ${JSON.stringify(body)}  ${ok ? 'new version' : 'NOT the new version'}`,
    );
  }
  if (answered !== cluster.nodes.length)
    throw new Error(`only ${answered} of ${cluster.nodes.length} nodes serve the new version`);
  console.error(`[demo] all ${answered} nodes serve the new version (${seconds()})`);
  await stopAll(0);
} catch (error) {
  console.error(`[demo] failed: ${error.message}`);
  await stopAll(1);
}
