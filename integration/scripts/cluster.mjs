#!/usr/bin/env node
// `pnpm cluster up [--nodes N]` starts a local Harper cluster with the deploy-tracking component
// and returns once it is ready; `pnpm cluster down` stops it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const integrationDir = fileURLToPath(new URL('..', import.meta.url));
// Outside the component folder, so Harper does not scan the nodes' own data as component files.
const baseDir = join(integrationDir, '..', '.cluster', 'local');
const usage = 'usage: pnpm cluster up [--nodes N] [--ready-timeout-ms MS] | pnpm cluster down';

const { HarperCluster, stopFromState } = await import(
  join(integrationDir, 'dist', 'harness.js')
).catch(() => {
  console.error('the harness is not built: run `pnpm build` first');
  process.exit(2);
});

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    nodes: { type: 'string', default: '3' },
    'ready-timeout-ms': { type: 'string', default: '240000' },
    help: { type: 'boolean', short: 'h' },
  },
});
const [command] = positionals;

if (values.help || !command) {
  console.log(usage);
  process.exit(command || values.help ? 0 : 2);
}

if (command === 'up') {
  const nodes = Number(values.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
    console.error(`invalid --nodes ${values.nodes}: use a whole number from 1 to 9`);
    process.exit(2);
  }
  const readyTimeoutMs = Number(values['ready-timeout-ms']);
  if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs <= 0) {
    console.error(
      `invalid --ready-timeout-ms ${values['ready-timeout-ms']}: use a positive number of milliseconds`,
    );
    process.exit(2);
  }
  const stopped = await stopFromState(baseDir);
  if (stopped > 0) console.error(`stopped ${stopped} nodes of an earlier cluster`);
  await rm(baseDir, { recursive: true, force: true });
  const cluster = new HarperCluster({ nodes, baseDir, subnet: 0, readyTimeoutMs });
  const startedAt = Date.now();
  try {
    await cluster.start();
  } catch (error) {
    console.error(`cluster failed to start: ${error.message}`);
    console.error('a busy or small machine can need longer: raise --ready-timeout-ms');
    process.exit(1);
  }
  cluster.detach();
  console.log(
    `cluster of ${nodes} nodes ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  );
  for (const node of cluster.nodes)
    console.log(`  ${node.name}  ${node.httpUrl}  (pid ${node.pid}, log ${node.logFile})`);
  console.log(
    `credentials: HARPER_USERNAME=${cluster.username} HARPER_PASSWORD=${cluster.password}`,
  );
  console.log('stop it with: pnpm cluster down');
  process.exit(0);
} else if (command === 'down') {
  const stopped = await stopFromState(baseDir);
  await rm(baseDir, { recursive: true, force: true });
  console.log(stopped > 0 ? `stopped ${stopped} nodes` : 'no cluster was running');
} else {
  console.error(`unknown command ${command}: ${usage}`);
  process.exit(2);
}
