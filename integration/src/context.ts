// Everything a route needs from this node, built once per worker.
import { isMainThread } from 'node:worker_threads';
import { type HarperLogger, type HarperServer, type HarperTable, harper } from './harper.js';
import { type ComponentStore, componentStore } from './lifecycle/component-store.js';
import { plainTable } from './plain-table.js';
import type { DeploymentRow } from './row-types.js';
import { type DeploySettings, readSettings } from './settings.js';

export interface NodeContext {
  server: HarperServer;
  logger: HarperLogger;
  table: HarperTable<DeploymentRow>;
  settings: DeploySettings;
  store: ComponentStore;
  nodeName: string;
  /** When this worker loaded the component (epoch ms). */
  workerStartedAt: number;
  isWorker: boolean;
}

/** Builds the context from Harper's globals; throws if the deployment table is missing. */
export function createNodeContext(): NodeContext {
  const { server, databases, logger } = harper();
  const table = databases.deploy?.hdb_deployment as HarperTable<DeploymentRow> | undefined;
  if (!table) {
    throw new Error(
      'table deploy.hdb_deployment is missing: the component schema.graphql did not load',
    );
  }
  const rootPath = (server.config?.rootPath as string | undefined) ?? process.env.ROOTPATH;
  if (!rootPath) throw new Error('Harper root path is unknown: set ROOTPATH');
  return {
    server,
    logger,
    table: plainTable(table),
    settings: readSettings(),
    store: componentStore(rootPath),
    nodeName: server.hostname ?? process.env.NODE_HOSTNAME ?? 'local',
    workerStartedAt: Date.now(),
    isWorker: !isMainThread,
  };
}
