import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from './deployment-event.js';
import { DeployInterruptedError, ServerRejectedError, StreamLostError } from './errors.js';
import { followDeployment, type ReconnectNotice } from './follow-deployment.js';
import { sendGetRequest } from './http-request.js';
import { resolveServerTarget } from './server-target.js';
import { buildDoneEvent, buildProgressEvents } from './test-support/deployment-script.js';
import {
  type FakeHarperServer,
  type FakeHarperServerOptions,
  type ScriptedEvent,
  sendJsonError,
  startEventStream,
  startFakeHarperServer,
  writeEvent,
} from './test-support/fake-harper-server.js';

const USERNAME = 'deployer';
const PASSWORD = 'secret';
let server: FakeHarperServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function startServer(options: Omit<FakeHarperServerOptions, 'username' | 'password'>) {
  server = await startFakeHarperServer({ username: USERNAME, password: PASSWORD, ...options });
  return {
    server,
    target: resolveServerTarget({ target: server.url, username: USERNAME, password: PASSWORD }),
  };
}

function sendEvents(response: ServerResponse, events: readonly ScriptedEvent[], end = true): void {
  startEventStream(response);
  for (const event of events) writeEvent(response, event);
  if (end) response.end();
}

describe('followDeployment', () => {
  it('stops at the final event', async () => {
    const events = [...buildProgressEvents(), buildDoneEvent('dep-1')];
    const { target } = await startServer({
      onWatch: (_watch, response) => sendEvents(response, events, false),
    });
    const outcome = await followDeployment({ target, deploymentId: 'dep-1' });
    expect(outcome.succeeded).toBe(true);
    expect(outcome.deploymentId).toBe('dep-1');
  });

  it('drops already seen event ids', async () => {
    const events = [...buildProgressEvents(), buildDoneEvent('dep-1')];
    let connections = 0;
    const { target } = await startServer({
      onWatch: (_watch, response) => {
        connections += 1;
        // The first connection ends after event 5. The second replays everything from event 1.
        sendEvents(response, connections === 1 ? events.slice(0, 5) : events);
      },
    });
    const seen: DeploymentEvent[] = [];
    await followDeployment({ target, deploymentId: 'dep-1', onEvent: (event) => seen.push(event) });
    expect(seen.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  });

  it('sends the last seen id as Last-Event-ID', async () => {
    const events = [...buildProgressEvents(), buildDoneEvent('dep-1')];
    const { server: fake, target } = await startServer({
      onWatch: (watch, response) =>
        sendEvents(
          response,
          watch.lastEventId === undefined ? events.slice(0, 2) : events.slice(2),
        ),
    });
    await followDeployment({ target, deploymentId: 'dep-1' });
    expect(fake.watches.map((watch) => watch.lastEventId)).toEqual([undefined, '2']);
  });

  it('reports each reconnect attempt', async () => {
    const events = [...buildProgressEvents(), buildDoneEvent('dep-1')];
    let connections = 0;
    const { target } = await startServer({
      onWatch: (_watch, response) => {
        connections += 1;
        if (connections === 1) return sendEvents(response, events.slice(0, 3));
        if (connections === 2) return sendJsonError(response, 502, 'bad gateway');
        return sendEvents(response, events.slice(3));
      },
    });
    const notices: ReconnectNotice[] = [];
    await followDeployment({
      target,
      deploymentId: 'dep-1',
      onReconnect: (notice) => notices.push(notice),
    });
    expect(notices.map((notice) => notice.attempt)).toEqual([1, 2]);
    expect(notices[1]?.reason).toContain('502');
  });

  it('does not retry a 401', async () => {
    let connections = 0;
    const { target } = await startServer({
      onWatch: (_watch, response) => {
        connections += 1;
        if (connections === 1) return sendEvents(response, buildProgressEvents().slice(0, 2));
        return sendJsonError(response, 401, 'token expired');
      },
    });
    await expect(followDeployment({ target, deploymentId: 'dep-1' })).rejects.toBeInstanceOf(
      ServerRejectedError,
    );
  });

  it('gives up after the reconnect timeout', async () => {
    const { target } = await startServer({
      onWatch: (_watch, response) => sendEvents(response, []),
    });
    const following = followDeployment({ target, deploymentId: 'dep-1', reconnectTimeoutMs: 300 });
    await expect(following).rejects.toBeInstanceOf(StreamLostError);
  });

  it('cannot reconnect without a deployment id', async () => {
    const { server: fake, target } = await startServer({
      onWatch: (_watch, response) => sendEvents(response, buildProgressEvents().slice(0, 1)),
    });
    // A directly opened stream simulates a deploy response without an x-deployment-id header.
    const initialResponse = await sendGetRequest({
      url: new URL('/deployments/any', fake.url),
      headers: { authorization: target.authorization },
    });
    const following = followDeployment({ target, deploymentId: undefined, initialResponse });
    await expect(following).rejects.toThrow('no deployment id');
  });

  it('rejects with DeployInterruptedError when aborted', async () => {
    const { target } = await startServer({
      onWatch: (_watch, response) => sendEvents(response, buildProgressEvents().slice(0, 1), false),
    });
    const controller = new AbortController();
    const following = followDeployment({
      target,
      deploymentId: 'dep-1',
      signal: controller.signal,
      onEvent: () => controller.abort(),
    });
    await expect(following).rejects.toBeInstanceOf(DeployInterruptedError);
  });

  it('abort between attempts rejects', async () => {
    const { target } = await startServer({
      onWatch: (_watch, response) => sendEvents(response, []),
    });
    const controller = new AbortController();
    const following = followDeployment({
      target,
      deploymentId: 'dep-1',
      signal: controller.signal,
      onReconnect: () => controller.abort(),
    });
    await expect(following).rejects.toMatchObject({
      name: 'DeployInterruptedError',
      deploymentId: 'dep-1',
    });
  });
});
