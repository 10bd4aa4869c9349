#!/usr/bin/env node
// Compares this project's deploy route with Harper 4.7.29's built-in deploy_component (base64
// payload in the operation, replicated: true) on the same local clusters and payloads. Both run
// without a worker restart, so the figures cover upload, replication, extract and install.
// Prints a Markdown table of wall time, CPU seconds per node, per-node RSS growth (peak during the
// call minus the RSS before it, and the RSS 5 s after, from /proc/<pid>/status) and, for tracked
// deploys, how long each peer waited for the payload after the origin's operation arrived.
// Environment: BENCH_SIZES_MIB (default 1,50), BENCH_NODES (default 1,3), BENCH_BUILTIN (set to
// 0 to skip the built-in operation, for quicker runs while profiling).
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const integrationDir = fileURLToPath(new URL('..', import.meta.url));
const { HarperCluster } = await import(join(integrationDir, 'dist', 'harness.js'));
const tarFs = await import('tar-fs');

const MIB = 1024 * 1024;
const SIZES_MIB = (process.env.BENCH_SIZES_MIB ?? '1,50').split(',').map(Number);
const NODE_COUNTS = (process.env.BENCH_NODES ?? '1,3').split(',').map(Number);
const RUN_BUILTIN = process.env.BENCH_BUILTIN !== '0';
const SAMPLE_MS = 100;
const SETTLE_MS = 5_000;

async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)[1]) * 1024;
}

/**
 * Returns the CPU seconds a process has used, its own threads and its finished children (such as
 * npm install) together, from /proc/<pid>/stat in clock ticks of 1/100 s.
 */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime and cstime are fields 14 to 17, indexes 11 to 14 after the name.
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

/** Samples every node's RSS while `work` runs; returns the result and per-node figures. */
async function measure(cluster, work) {
  const pids = cluster.nodes.map((node) => node.pid);
  const cpuBefore = await Promise.all(pids.map(cpuSeconds));
  const before = await Promise.all(pids.map(rssBytes));
  const peak = [...before];
  let running = true;
  const sampler = (async () => {
    while (running) {
      const now = await Promise.all(pids.map(rssBytes));
      now.forEach((value, index) => {
        peak[index] = Math.max(peak[index], value);
      });
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  const startedAt = performance.now();
  const result = await work();
  const seconds = (performance.now() - startedAt) / 1000;
  const cpuAfter = await Promise.all(pids.map(cpuSeconds));
  running = false;
  await sampler;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const after = await Promise.all(pids.map(rssBytes));
  return {
    result,
    seconds,
    cpu: cpuAfter.map((value, index) => value - cpuBefore[index]),
    growth: peak.map((value, index) => value - before[index]),
    after: after.map((value, index) => value - before[index]),
  };
}

async function packFixture(sizeMib) {
  const directory = await mkdtemp(join(tmpdir(), 'bench-app-'));
  await cp(join(integrationDir, 'fixtures', 'hello-app'), directory, { recursive: true });
  // Random bytes do not compress, so the payload is about the named size.
  await writeFile(join(directory, 'padding.bin'), randomBytes(sizeMib * MIB));
  const chunks = [];
  for await (const chunk of tarFs.pack(directory)) chunks.push(chunk);
  await rm(directory, { recursive: true, force: true });
  return gzipSync(Buffer.concat(chunks), { level: 1 });
}

async function waitForTerminal(cluster, deploymentId) {
  for (;;) {
    const response = await fetch(`${cluster.nodes[0].httpUrl}/deployments/${deploymentId}`, {
      headers: { authorization: cluster.authorization },
    });
    const row = await response.json();
    if (['success', 'failed', 'rolled_back'].includes(row.status)) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function deployTracked(cluster, payload, project) {
  const form = new FormData();
  form.append('project', project);
  form.append('restart', 'none');
  form.append('payload', new Blob([payload]), 'payload.tar.gz');
  const response = await fetch(`${cluster.nodes[0].httpUrl}/deploy_component`, {
    method: 'POST',
    headers: { authorization: cluster.authorization },
    body: form,
  });
  const body = await response.json();
  const row = await waitForTerminal(cluster, body.deployment_id);
  if (row.status !== 'success')
    throw new Error(`tracked deploy ended ${row.status}: ${JSON.stringify(row.error)}`);
  return body.deployment_id;
}

/**
 * Returns each peer's wait for the payload, from the record it keeps after preparing: the
 * milliseconds, and their share of the peer's run from the operation's arrival to prepared.
 */
async function peerPayloadWaits(cluster, deploymentId) {
  const waits = [];
  for (const node of cluster.nodes.slice(1)) {
    const file = join(node.rootPath, 'deploy-tracking', 'prepared', `${deploymentId}.json`);
    const record = JSON.parse(await readFile(file, 'utf8'));
    if (typeof record.payload_wait_ms !== 'number') {
      waits.push('not recorded');
      continue;
    }
    const lifecycleMs = record.result.completed_at - record.result.started_at;
    waits.push(
      `${record.payload_wait_ms} ms (${((100 * record.payload_wait_ms) / lifecycleMs).toFixed(1)}%)`,
    );
  }
  return waits.join(' / ');
}

async function deployBuiltIn(cluster, payload, project) {
  await cluster.operation(0, {
    operation: 'deploy_component',
    project,
    payload: payload.toString('base64'),
    restart: false,
    replicated: cluster.nodes.length > 1,
  });
}

function formatMib(bytes) {
  return `${Math.round(bytes / MIB)}`;
}

const rows = [];
for (const nodeCount of NODE_COUNTS) {
  const cluster = new HarperCluster({
    nodes: nodeCount,
    subnet: 7,
    baseDir: join(integrationDir, '..', '.cluster', `bench-${nodeCount}`),
  });
  await cluster.start({ fresh: true });
  try {
    for (const sizeMib of SIZES_MIB) {
      const payload = await packFixture(sizeMib);
      const deploys = [['tracked (this project)', deployTracked]];
      if (RUN_BUILTIN) deploys.push(['built-in deploy_component', deployBuiltIn]);
      for (const [name, deploy] of deploys) {
        const tracked = name.startsWith('tracked');
        const project = `bench-${tracked ? 'tracked' : 'builtin'}-${sizeMib}`;
        const { result, seconds, cpu, growth, after } = await measure(cluster, () =>
          deploy(cluster, payload, project),
        );
        const waits = tracked && nodeCount > 1 ? await peerPayloadWaits(cluster, result) : '';
        rows.push(
          `| ${name} | ${nodeCount} | ${sizeMib} | ${seconds.toFixed(2)} | ${cpu.map((value) => value.toFixed(1)).join(' / ')} | ${growth.map(formatMib).join(' / ')} | ${after.map(formatMib).join(' / ')} | ${waits} |`,
        );
        console.error(rows.at(-1));
      }
    }
  } finally {
    await cluster.stop({ clean: true });
  }
}

console.log(
  '| deploy | nodes | payload MiB | seconds | CPU s per node | peak RSS growth per node, MiB | RSS 5 s after, over before, MiB | peer wait for payload (share of its run) |',
);
console.log('| --- | ---: | ---: | ---: | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
