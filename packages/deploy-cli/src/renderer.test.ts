import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DeploymentEvent } from './deployment-event.js';
import { readDeploymentOutcome } from './deployment-outcome.js';
import { createRenderer } from './renderer.js';
import {
  buildDoneEvent,
  buildFailureEvent,
  buildProgressEvents,
} from './test-support/deployment-script.js';

const ANSI_ESCAPE = '\u001b[';

/** Creates a writable stream that records what was written and reports the given `isTTY`. */
function createCapture(isTTY: boolean) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  stream.isTTY = isTTY;
  stream.columns = 100;
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

function toEvents(deploymentId: string, final: 'done' | 'failed'): DeploymentEvent[] {
  const scripted = [
    ...buildProgressEvents(),
    final === 'done' ? buildDoneEvent(deploymentId) : buildFailureEvent(deploymentId),
  ];
  return scripted.map((event) => ({ id: String(event.id), event: event.event, data: event.data }));
}

function renderDeployment(options: {
  isTTY: boolean;
  json?: boolean;
  env?: Record<string, string>;
  final?: 'done' | 'failed';
}) {
  const stdout = createCapture(options.isTTY);
  const stderr = createCapture(options.isTTY);
  const renderer = createRenderer({
    stdout: stdout.stream,
    stderr: stderr.stream,
    json: options.json,
    env: options.env ?? {},
  });
  const events = toEvents('dep-1', options.final ?? 'done');
  renderer.payloadReady({ project: 'my-app', path: '/tmp/x.tar.gz', bytes: 2048, entries: 3 });
  renderer.uploadProgress({ sentBytes: 1024, totalBytes: 2048 });
  renderer.uploadProgress({ sentBytes: 2048, totalBytes: 2048 });
  renderer.uploaded({ bytes: 2048, durationMs: 300, deploymentId: 'dep-1' });
  for (const event of events) renderer.event(event);
  const outcome = readDeploymentOutcome(events.at(-1) as DeploymentEvent);
  if (outcome === undefined) throw new Error('the scripted last event is not final');
  renderer.outcome(outcome);
  renderer.close();
  return { stdout: stdout.text(), stderr: stderr.text() };
}

describe('createRenderer in plain mode', () => {
  it('writes only the result line to stdout', () => {
    const { stdout } = renderDeployment({ isTTY: false });
    expect(stdout).toBe('deployment dep-1 success\n');
  });

  it('shows phases as one-liners with durations', () => {
    const { stderr } = renderDeployment({ isTTY: false });
    expect(stderr).toContain('▸ install started\n');
    expect(stderr).toContain('✓ install done 1.2s\n');
  });

  it('prefixes install lines with their stream', () => {
    const { stderr } = renderDeployment({ isTTY: false });
    expect(stderr).toContain('  stdout │ added 3 packages\n');
  });

  it('shows peer outcomes as they arrive', () => {
    const { stderr } = renderDeployment({ isTTY: false });
    expect(stderr).toContain('✓ node-2 success 3.4s\n');
  });

  it('summarizes the upload in one line', () => {
    const { stderr } = renderDeployment({ isTTY: false });
    expect(stderr).toContain('✓ uploaded 2.0 kB in 0.3s (deployment dep-1)\n');
  });

  it('summary marks the origin node', () => {
    const { stderr } = renderDeployment({ isTTY: false });
    expect(stderr).toContain('nodes: 2 of 2 succeeded\n');
    expect(stderr).toMatch(/ {2}✓ node-1 {2}origin {2}success {2}4\.2s\n/);
    expect(stderr).toMatch(/ {2}✓ node-2 {10}success {2}3\.4s\n/);
  });

  it('repeats warnings in the summary', () => {
    const { stderr } = renderDeployment({ isTTY: false });
    const occurrences = stderr.split('! warning: engines.node is not set').length - 1;
    expect(occurrences).toBe(2);
  });

  it('result line names failed nodes', () => {
    const { stdout } = renderDeployment({ isTTY: false, final: 'failed' });
    expect(stdout).toBe(
      'deployment dep-1 failed (failed nodes: node-2): replication failed on 1 of 2 nodes\n',
    );
  });

  it('summary shows node errors', () => {
    const { stderr } = renderDeployment({ isTTY: false, final: 'failed' });
    expect(stderr).toMatch(/ {2}✗ node-2 +failed +3\.4s {2}npm install exited with code 1\n/);
  });

  it('writes no colour codes', () => {
    const { stdout, stderr } = renderDeployment({ isTTY: false });
    expect(stdout).not.toContain(ANSI_ESCAPE);
    expect(stderr).not.toContain(ANSI_ESCAPE);
  });
});

describe('createRenderer on a TTY', () => {
  it('colours the result line', () => {
    const { stdout } = renderDeployment({ isTTY: true });
    expect(stdout).toContain(`${ANSI_ESCAPE}32msuccess${ANSI_ESCAPE}39m`);
  });

  it('colours the live view', () => {
    const { stderr } = renderDeployment({ isTTY: true });
    expect(stderr).toContain(`${ANSI_ESCAPE}32m✓${ANSI_ESCAPE}39m install done`);
  });

  it('draws an upload progress bar', () => {
    const { stderr } = renderDeployment({ isTTY: true });
    expect(stderr).toContain('uploading [');
  });

  it('NO_COLOR turns colours off', () => {
    const { stdout } = renderDeployment({ isTTY: true, env: { NO_COLOR: '1' } });
    expect(stdout).toBe('deployment dep-1 success\n');
  });

  it('keeps colours when NO_COLOR is empty', () => {
    const { stdout } = renderDeployment({ isTTY: true, env: { NO_COLOR: '' } });
    expect(stdout).toContain(ANSI_ESCAPE);
  });
});

describe('createRenderer in JSON mode', () => {
  it('writes only JSON lines to stdout', () => {
    const { stdout } = renderDeployment({ isTTY: false, json: true });
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });

  it('writes one object per event with id, event and data', () => {
    const { stdout } = renderDeployment({ isTTY: false, json: true });
    const first = JSON.parse(stdout.split('\n')[0] ?? '');
    expect(first).toEqual({
      id: 1,
      event: 'phase',
      data: { phase: 'extract', status: 'start', t: expect.any(Number) },
    });
  });

  it('last object carries status and id', () => {
    const { stdout } = renderDeployment({ isTTY: false, json: true, final: 'failed' });
    const last = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '');
    expect(last.status).toBe('failed');
    expect(last.deployment_id).toBe('dep-1');
  });

  it('keeps stderr empty on a TTY', () => {
    const { stderr } = renderDeployment({ isTTY: true, json: true });
    expect(stderr).toBe('');
  });
});

describe('createRenderer notices', () => {
  it('tells how to reattach after detaching', () => {
    const stderr = createCapture(false);
    const renderer = createRenderer({
      stdout: createCapture(false).stream,
      stderr: stderr.stream,
      env: {},
    });
    renderer.detached({ deploymentId: 'dep-9', target: 'https://node-1:9926' });
    expect(stderr.text()).toContain('harper-deploy watch dep-9 --target https://node-1:9926');
  });

  it('writes errors to stderr in JSON mode', () => {
    const stdout = createCapture(false);
    const stderr = createCapture(false);
    const renderer = createRenderer({
      stdout: stdout.stream,
      stderr: stderr.stream,
      json: true,
      env: {},
    });
    renderer.error('server rejected the request');
    expect(stdout.text()).toBe('');
    expect(stderr.text()).toBe('error: server rejected the request\n');
  });
});
