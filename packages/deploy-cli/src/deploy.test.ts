import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deploy, projectNameFromTarball } from './deploy.js';
import { ServerRejectedError, UsageError } from './errors.js';
import { buildDoneEvent, buildProgressEvents } from './test-support/deployment-script.js';
import {
  type FakeHarperServer,
  type FakeHarperServerOptions,
  sendJsonError,
  startEventStream,
  startFakeHarperServer,
  writeEvent,
} from './test-support/fake-harper-server.js';
import type { UploadProgress } from './upload-payload.js';

const USERNAME = 'deployer';
const PASSWORD = 'secret';
let workDirectory: string;
let projectDirectory: string;
let server: FakeHarperServer | undefined;

beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'deploy-cli-deploy-test-'));
  projectDirectory = join(workDirectory, 'my-app');
  await mkdir(projectDirectory);
  await writeFile(join(projectDirectory, 'package.json'), '{"name":"my-app"}');
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

const streamSuccess: FakeHarperServerOptions['onDeploy'] = (_upload, response) => {
  startEventStream(response, 'dep-7');
  for (const event of [...buildProgressEvents(), buildDoneEvent('dep-7')])
    writeEvent(response, event);
  response.end();
};

describe('deploy', () => {
  it('returns the outcome of the final event', async () => {
    const fake = await startServer({ onDeploy: streamSuccess });
    const outcome = await deploy({
      target: fake.url,
      username: USERNAME,
      password: PASSWORD,
      directory: projectDirectory,
    });
    expect(outcome.status).toBe('success');
    expect(outcome.deploymentId).toBe('dep-7');
  });

  it('reports the deployment id from the response header', async () => {
    const fake = await startServer({ onDeploy: streamSuccess });
    let uploadedId: string | undefined;
    await deploy({
      target: fake.url,
      username: USERNAME,
      password: PASSWORD,
      directory: projectDirectory,
      onUploaded: (summary) => {
        uploadedId = summary.deploymentId;
      },
    });
    expect(uploadedId).toBe('dep-7');
  });

  it('reports progress up to payload size', async () => {
    const fake = await startServer({ onDeploy: streamSuccess });
    const progress: UploadProgress[] = [];
    let payloadBytes = 0;
    await deploy({
      target: fake.url,
      username: USERNAME,
      password: PASSWORD,
      directory: projectDirectory,
      onPayloadReady: (summary) => {
        payloadBytes = summary.bytes;
      },
      onUploadProgress: (update) => progress.push(update),
    });
    expect(progress.at(-1)).toEqual({ sentBytes: payloadBytes, totalBytes: payloadBytes });
  });

  it('reports an early rejection', async () => {
    const bigProject = join(workDirectory, 'big-app');
    await mkdir(bigProject, { recursive: true });
    await writeFile(join(bigProject, 'blob.bin'), randomBytes(16 * 1024 * 1024));
    const fake = await startServer({
      answerBeforeBody: (response) =>
        sendJsonError(response, 413, 'payload exceeds 10 MB', 'PAYLOAD_TOO_LARGE'),
    });
    const deploying = deploy({
      target: fake.url,
      username: USERNAME,
      password: PASSWORD,
      directory: bigProject,
    });
    await expect(deploying).rejects.toBeInstanceOf(ServerRejectedError);
    await expect(deploying).rejects.toMatchObject({ status: 413 });
    await expect(deploying).rejects.toThrow('payload exceeds 10 MB');
  });

  it('rejects a missing tarball', async () => {
    const deploying = deploy({
      target: 'http://127.0.0.1:9',
      tarball: join(workDirectory, 'missing.tgz'),
    });
    await expect(deploying).rejects.toBeInstanceOf(UsageError);
  });

  it('rejects a folder together with a tarball', async () => {
    const deploying = deploy({ target: 'http://127.0.0.1:9', directory: '.', tarball: 'a.tgz' });
    await expect(deploying).rejects.toBeInstanceOf(UsageError);
  });
});

describe('projectNameFromTarball', () => {
  it.each([
    ['/tmp/my-app.tar.gz', 'my-app'],
    ['my-app.tgz', 'my-app'],
    ['My-App.TGZ', 'My-App'],
    ['my-app.tar', 'my-app.tar'],
  ])('names %s as %s', (path, expected) => {
    expect(projectNameFromTarball(path)).toBe(expected);
  });
});
