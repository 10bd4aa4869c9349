import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDoneEvent,
  buildFailureEvent,
  buildProgressEvents,
  buildRow,
} from './test-support/deployment-script.js';
import {
  type FakeHarperServer,
  type FakeHarperServerOptions,
  type ScriptedEvent,
  sendJsonError,
  startEventStream,
  startFakeHarperServer,
  writeEvent,
} from './test-support/fake-harper-server.js';
import { type CliRun, runCliProcess, startCliProcess } from './test-support/run-cli-process.js';

const USERNAME = 'deployer';
const PASSWORD = 'pw-Zq8-never-print';
const CREDENTIAL_ENV = { HARPER_USERNAME: USERNAME, HARPER_PASSWORD: PASSWORD };
const BASIC_TOKEN = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
const DEPLOYMENT_ID = 'dep-1';

let workDirectory: string;
let projectDirectory: string;
let server: FakeHarperServer | undefined;

beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'deploy-cli-test-'));
  projectDirectory = join(workDirectory, 'my-app');
  await mkdir(join(projectDirectory, 'node_modules', 'left-pad'), { recursive: true });
  await mkdir(join(projectDirectory, '.git'), { recursive: true });
  await mkdir(join(projectDirectory, 'lib'), { recursive: true });
  await writeFile(join(projectDirectory, 'package.json'), '{"name":"my-app"}');
  await writeFile(join(projectDirectory, 'lib', 'index.js'), 'export {};\n');
  await writeFile(join(projectDirectory, 'node_modules', 'left-pad', 'index.js'), '');
  await writeFile(join(projectDirectory, '.git', 'HEAD'), 'ref: refs/heads/main\n');
});

afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startServer(options: Omit<FakeHarperServerOptions, 'username' | 'password'>) {
  server = await startFakeHarperServer({ username: USERNAME, password: PASSWORD, ...options });
  return server;
}

/** A deploy handler that streams the events and then ends the response, or keeps it open. */
function streamEvents(
  events: readonly ScriptedEvent[],
  ending: 'end' | 'destroy' | 'keep-open' = 'end',
) {
  return (_upload: unknown, response: ServerResponse) => {
    startEventStream(response, DEPLOYMENT_ID);
    for (const event of events) writeEvent(response, event);
    if (ending === 'end') response.end();
    // The empty write's callback runs once the events are flushed to the socket.
    if (ending === 'destroy') response.write('', () => response.socket?.destroy());
  };
}

/** A watch handler that replays the events from Last-Event-ID on, repeating that event itself. */
function replayFromLastEventId(events: readonly ScriptedEvent[]) {
  return (watch: { lastEventId: string | undefined }, response: ServerResponse) => {
    startEventStream(response);
    const from = Number(watch.lastEventId ?? 0);
    response.write(': ping\n\n');
    for (const event of events) {
      if ((event.id ?? 0) >= from) writeEvent(response, event);
    }
    response.end();
  };
}

function allEvents(final: ScriptedEvent = buildDoneEvent(DEPLOYMENT_ID)): ScriptedEvent[] {
  return [...buildProgressEvents(), final];
}

function deployArgs(target: string, ...extra: string[]): string[] {
  return ['deploy', projectDirectory, '--target', target, ...extra];
}

function expectNoCredentials(run: CliRun): void {
  const output = run.stdout + run.stderr;
  expect(output).not.toContain(PASSWORD);
  expect(output).not.toContain(BASIC_TOKEN);
}

async function closedPortUrl(): Promise<string> {
  const closed = await startFakeHarperServer({ username: USERNAME, password: PASSWORD });
  await closed.close();
  return closed.url;
}

describe('harper-deploy deploy', () => {
  it('success exits 0 with result line', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`deployment ${DEPLOYMENT_ID} success\n`);
  });

  it('renders the live view on stderr', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.stderr).toContain('✓ install done 1.2s');
    expect(run.stderr).toContain('  stdout │ added 3 packages');
    expect(run.stderr).toMatch(/uploaded [\d.]+ (B|kB) in [\d.]+s/);
    expect(run.stderr).toContain('nodes: 2 of 2 succeeded');
  });

  it('sends fields before the tarball', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    const upload = fake.uploads[0];
    expect(fake.protocolErrors).toEqual([]);
    expect(upload?.partOrder).toEqual(['project', 'payload']);
    expect(upload?.fields.project).toBe('my-app');
    expect(upload?.payloadContentType).toBe('application/gzip');
    expect(upload?.payloadEntries).toContain('package.json');
    expect(upload?.payloadEntries).toContain('lib/index.js');
  });

  it('skips node_modules and .git', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    const names = fake.uploads[0]?.payloadEntries ?? [];
    expect(names.filter((name) => name.includes('node_modules'))).toEqual([]);
    expect(names.filter((name) => name.includes('.git'))).toEqual([]);
  });

  it('sends deploy flags as fields', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    await runCliProcess(
      deployArgs(
        fake.url,
        '--project',
        'renamed',
        '--restart',
        'rolling',
        '--install-command',
        'npm ci --omit=dev',
        '--install-timeout',
        '60000',
        '--allow-scripts',
        '--ignore-replication-errors',
      ),
      { env: CREDENTIAL_ENV },
    );
    expect(fake.uploads[0]?.fields).toEqual({
      project: 'renamed',
      restart: 'rolling',
      install_command: 'npm ci --omit=dev',
      install_timeout: '60000',
      install_allow_scripts: 'true',
      ignore_replication_errors: 'true',
    });
  });

  it('uploads a given tarball', async () => {
    const tarball = join(workDirectory, 'shipped-app.tgz');
    await pipeline(pack(projectDirectory), createGzip(), createWriteStream(tarball));
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(['deploy', '--tarball', tarball, '--target', fake.url], {
      env: CREDENTIAL_ENV,
    });
    expect(run.exitCode).toBe(0);
    expect(fake.uploads[0]?.fields.project).toBe('shipped-app');
  });

  it('removes the temporary tarball afterwards', async () => {
    const temporaryRoot = join(workDirectory, 'tmp-for-cli');
    await mkdir(temporaryRoot);
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(deployArgs(fake.url), {
      env: { ...CREDENTIAL_ENV, TMPDIR: temporaryRoot },
    });
    expect(run.exitCode).toBe(0);
    expect(await readdir(temporaryRoot)).toEqual([]);
  });

  it('failed deployment exits 1', async () => {
    const fake = await startServer({
      onDeploy: streamEvents(allEvents(buildFailureEvent(DEPLOYMENT_ID))),
    });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(
      `deployment ${DEPLOYMENT_ID} failed (failed nodes: node-2): replication failed on 1 of 2 nodes\n`,
    );
  });

  it('rolled back deployment exits 1', async () => {
    const rolledBack: ScriptedEvent = {
      id: 8,
      event: 'error',
      data: {
        message: 'load check failed',
        code: 'LOAD_FAILED',
        phase: 'load',
        result: buildRow(DEPLOYMENT_ID, { status: 'rolled_back' }),
      },
    };
    const fake = await startServer({ onDeploy: streamEvents(allEvents(rolledBack)) });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe(`deployment ${DEPLOYMENT_ID} rolled_back: load check failed\n`);
  });

  it('409 exits 1 with message', async () => {
    const fake = await startServer({
      onDeploy: (_upload, response) =>
        sendJsonError(
          response,
          409,
          'project my-app has a deployment in progress',
          'DEPLOYMENT_IN_PROGRESS',
        ),
    });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('409 Conflict): project my-app has a deployment in progress');
    expect(run.stdout).toBe('');
  });

  it('wrong credentials exit 1', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(deployArgs(fake.url, '--password', 'wrong-password'), {
      env: CREDENTIAL_ENV,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('401 Unauthorized): Login failed');
  });

  it('refused connection exits 2', async () => {
    const run = await runCliProcess(deployArgs(await closedPortUrl()), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('ECONNREFUSED');
  });

  it('unknown flag exits 2', async () => {
    const run = await runCliProcess([
      'deploy',
      projectDirectory,
      '--target',
      'http://127.0.0.1:9',
      '--bogus',
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Unknown option '--bogus'");
  });

  it('invalid restart mode exits 2', async () => {
    const run = await runCliProcess(deployArgs('http://127.0.0.1:9', '--restart', 'sometimes'));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('invalid --restart "sometimes"');
  });

  it('missing target exits 2', async () => {
    const run = await runCliProcess(['deploy', projectDirectory]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('missing --target');
  });

  it('takes the target from HARPER_TARGET', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(['deploy', projectDirectory], {
      env: { ...CREDENTIAL_ENV, HARPER_TARGET: fake.url },
    });
    expect(run.exitCode).toBe(0);
  });

  it('missing folder exits 2', async () => {
    const run = await runCliProcess(
      deployArgs('http://127.0.0.1:9').map((arg) =>
        arg === projectDirectory ? join(workDirectory, 'missing') : arg,
      ),
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('not a folder');
  });
});

describe('harper-deploy deploy when the stream drops', () => {
  it('reconnects without duplicate events', async () => {
    const events = allEvents();
    const fake = await startServer({
      onDeploy: streamEvents(events.slice(0, 4)),
      onWatch: replayFromLastEventId(events),
    });
    const run = await runCliProcess(deployArgs(fake.url, '--json'), { env: CREDENTIAL_ENV });
    const ids = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).id);
    expect(run.exitCode).toBe(0);
    expect(fake.watches[0]?.lastEventId).toBe('4');
    expect(fake.watches[0]?.deploymentId).toBe(DEPLOYMENT_ID);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reconnects after a destroyed socket', async () => {
    const events = allEvents();
    const fake = await startServer({
      onDeploy: streamEvents(events.slice(0, 3), 'destroy'),
      onWatch: replayFromLastEventId(events),
    });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(0);
    expect(fake.watches[0]?.lastEventId).toBe('3');
    expect(run.stderr.split('▸ install started').length - 1).toBe(1);
  });

  it('retries 503 during worker restart', async () => {
    const events = allEvents();
    const replay = replayFromLastEventId(events);
    let attempts = 0;
    const fake = await startServer({
      onDeploy: streamEvents(events.slice(0, 4)),
      onWatch: (watch, response) => {
        attempts += 1;
        if (attempts < 3) return sendJsonError(response, 503, 'worker restarting');
        return replay(watch, response);
      },
    });
    const run = await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    expect(run.exitCode).toBe(0);
    expect(fake.watches).toHaveLength(3);
    expect(run.stderr).toContain(
      `↻ reconnecting to deployment ${DEPLOYMENT_ID} after event 4 (attempt 1)`,
    );
  });

  it('reconnect timeout exits 2 with hint', async () => {
    const fake = await startServer({
      onDeploy: streamEvents(allEvents().slice(0, 4)),
      onWatch: (_watch, response) => sendJsonError(response, 503, 'worker restarting'),
    });
    const run = await runCliProcess(deployArgs(fake.url, '--reconnect-timeout', '600'), {
      env: CREDENTIAL_ENV,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`harper-deploy watch ${DEPLOYMENT_ID} --target ${fake.url}`);
  });
});

describe('harper-deploy deploy --json', () => {
  it('writes only JSON lines to stdout', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(deployArgs(fake.url, '--json'), { env: CREDENTIAL_ENV });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(Object.keys(JSON.parse(line))).toEqual(
        expect.arrayContaining(['id', 'event', 'data']),
      );
    }
  });

  it('last object carries status and id', async () => {
    const fake = await startServer({
      onDeploy: streamEvents(allEvents(buildFailureEvent(DEPLOYMENT_ID))),
    });
    const run = await runCliProcess(deployArgs(fake.url, '--json'), { env: CREDENTIAL_ENV });
    const last = JSON.parse(run.stdout.trimEnd().split('\n').at(-1) ?? '');
    expect(run.exitCode).toBe(1);
    expect(last.status).toBe('failed');
    expect(last.deployment_id).toBe(DEPLOYMENT_ID);
  });

  it('keeps the live view off stderr', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents()) });
    const run = await runCliProcess(deployArgs(fake.url, '--json'), { env: CREDENTIAL_ENV });
    expect(run.stderr).toBe('');
  });
});

describe('harper-deploy deploy interrupted', () => {
  it('Ctrl-C during stream detaches', async () => {
    const fake = await startServer({
      onDeploy: streamEvents(allEvents().slice(0, 4), 'keep-open'),
    });
    const cli = startCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV });
    await cli.waitForStderr('stdout │ added 3 packages');
    cli.child.kill('SIGINT');
    const run = await cli.result;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain(`harper-deploy watch ${DEPLOYMENT_ID} --target ${fake.url}`);
  });

  it('Ctrl-C during upload aborts it', async () => {
    const bigProject = join(workDirectory, 'big-app');
    await mkdir(bigProject, { recursive: true });
    // Random bytes do not compress, so the upload outgrows the loopback socket buffers and stalls.
    await writeFile(join(bigProject, 'blob.bin'), randomBytes(32 * 1024 * 1024));
    const fake = await startServer({ stallUploads: true });
    const cli = startCliProcess(['deploy', bigProject, '--target', fake.url], {
      env: CREDENTIAL_ENV,
    });
    await fake.uploadStarted;
    cli.child.kill('SIGINT');
    const run = await cli.result;
    fake.resumeStalledUploads();
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('upload aborted');
    expect(await fake.uploadClosedEarly).toBe(true);
  });
});

describe('harper-deploy watch', () => {
  it('replays a deployment to its result', async () => {
    const fake = await startServer({ onWatch: replayFromLastEventId(allEvents()) });
    const run = await runCliProcess(['watch', DEPLOYMENT_ID, '--target', fake.url], {
      env: CREDENTIAL_ENV,
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`deployment ${DEPLOYMENT_ID} success\n`);
    expect(fake.watches[0]?.accept).toBe('text/event-stream');
    expect(fake.watches[0]?.lastEventId).toBeUndefined();
  });

  it('unknown deployment exits 1', async () => {
    const fake = await startServer({});
    const run = await runCliProcess(['watch', 'nope', '--target', fake.url], {
      env: CREDENTIAL_ENV,
    });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('deployment not found');
  });

  it('missing deployment id exits 2', async () => {
    const run = await runCliProcess(['watch', '--target', 'http://127.0.0.1:9']);
    expect(run.exitCode).toBe(2);
  });
});

describe('harper-deploy list', () => {
  const listBody = {
    deployments: [
      buildRow('dep-2', { status: 'failed' }),
      buildRow('dep-1', { peer_results: [], completed_at: null }),
    ],
    total: 7,
  };

  it('prints a table of deployments', async () => {
    const fake = await startServer({
      onList: (_query, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(listBody));
      },
    });
    const run = await runCliProcess(['list', '--target', fake.url], { env: CREDENTIAL_ENV });
    const lines = run.stdout.trimEnd().split('\n');
    expect(run.exitCode).toBe(0);
    expect(lines[0]).toMatch(/^ID +PROJECT +STATUS +STARTED \(UTC\) +DURATION +NODES OK$/);
    expect(lines[1]).toMatch(/^dep-2 +my-app +failed +2025-01-02 03:04:05 +5\.0s +2\/2$/);
    expect(lines[2]).toMatch(/^dep-1 +my-app +success +2025-01-02 03:04:05 +- +-$/);
    expect(run.stderr).toBe('2 of 7 deployments\n');
  });

  it('sends filters as query parameters', async () => {
    const fake = await startServer({
      onList: (_query, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(listBody));
      },
    });
    await runCliProcess(
      [
        'list',
        '--target',
        fake.url,
        '--project',
        'my-app',
        '--status',
        'failed',
        '--limit',
        '5',
        '--offset',
        '10',
      ],
      { env: CREDENTIAL_ENV },
    );
    expect(Object.fromEntries(fake.listQueries[0] ?? [])).toEqual({
      project: 'my-app',
      status: 'failed',
      limit: '5',
      offset: '10',
    });
  });

  it('prints JSON with --json', async () => {
    const fake = await startServer({
      onList: (_query, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(listBody));
      },
    });
    const run = await runCliProcess(['list', '--target', fake.url, '--json'], {
      env: CREDENTIAL_ENV,
    });
    expect(JSON.parse(run.stdout)).toEqual(listBody);
  });

  it('invalid limit exits 2', async () => {
    const run = await runCliProcess(['list', '--target', 'http://127.0.0.1:9', '--limit', 'ten']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('invalid --limit "ten"');
  });
});

describe('harper-deploy help and version', () => {
  it('prints help for each command', async () => {
    for (const command of ['deploy', 'watch', 'list']) {
      const run = await runCliProcess([command, '--help']);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`Usage: harper-deploy ${command}`);
    }
  });

  it('prints the version', async () => {
    const run = await runCliProcess(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('missing command exits 2', async () => {
    const run = await runCliProcess([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('missing command');
  });
});

describe('harper-deploy credentials', () => {
  it('never prints password or header', async () => {
    const events = allEvents();
    const fake = await startServer({
      onDeploy: streamEvents(events.slice(0, 4)),
      onWatch: replayFromLastEventId(events),
    });
    const runs = [
      await runCliProcess(deployArgs(fake.url), { env: CREDENTIAL_ENV }),
      await runCliProcess(deployArgs(fake.url, '--json'), { env: CREDENTIAL_ENV }),
      await runCliProcess(deployArgs(fake.url, '--username', USERNAME, '--password', PASSWORD)),
      await runCliProcess(deployArgs(fake.url, '--password', `${PASSWORD}-wrong`), {
        env: CREDENTIAL_ENV,
      }),
      await runCliProcess(deployArgs(await closedPortUrl()), { env: CREDENTIAL_ENV }),
      await runCliProcess(['watch', 'missing', '--target', fake.url], { env: CREDENTIAL_ENV }),
      await runCliProcess(['list', '--target', fake.url], { env: CREDENTIAL_ENV }),
    ];
    for (const run of runs) {
      expectNoCredentials(run);
    }
  });

  it('hides credentials from the target URL', async () => {
    const fake = await startServer({ onDeploy: streamEvents(allEvents().slice(0, 4)) });
    const target = fake.url.replace('http://', `http://${USERNAME}:${PASSWORD}@`);
    const run = await runCliProcess(deployArgs(target, '--reconnect-timeout', '0'));
    expect(fake.uploads).toHaveLength(1);
    expect(run.stderr).toContain(`--target ${fake.url}`);
    expectNoCredentials(run);
  });
});
