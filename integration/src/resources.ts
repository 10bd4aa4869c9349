// Entry point Harper loads in every thread: registers the deploy routes in each HTTP worker and
// runs the startup tasks there. The main thread loads this module too but serves no requests.
import { createNodeContext } from './context.js';
import type { HarperRequest } from './harper.js';
import { route } from './routes.js';
import { runStartupTasks } from './startup.js';

const STARTUP_DELAY_MS = 500;

const context = createNodeContext();

if (context.isWorker) {
  context.server.http(async (request: HarperRequest, next: (request: HarperRequest) => unknown) => {
    const response = await route(context, request);
    return response ?? next(request);
  });
  // Harper loads the other components after this module. The startup tasks request their load
  // status, so they wait for the worker to settle first.
  setTimeout(() => {
    void runStartupTasks(context);
  }, STARTUP_DELAY_MS).unref?.();
}
