// Starts and stops a local Harper cluster on loopback addresses for tests, the demo and
// `pnpm cluster`. Every node is its own harperdb process with its own HOME and ROOTPATH.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_USERNAME = 'admin';
export const DEFAULT_PASSWORD = 'harper-deploy-local';
export const DEFAULT_HTTP_PORT = 9926;
export const DEFAULT_OPERATIONS_PORT = 9925;
// Generous because a 2-core machine that starts three nodes at once can take minutes under load.
export const DEFAULT_READY_TIMEOUT_MS = 240_000;
export const DEFAULT_STOP_GRACE_MS = 5_000;
const POLL_INTERVAL_MS = 250;

export interface ClusterOptions {
  /** Number of nodes, at least 1. */
  nodes?: number;
  /** Folder for every node's HOME, ROOTPATH and log; removed by `stop({ clean: true })`. */
  baseDir: string;
  /** The third octet of the loopback addresses: node i listens on 127.0.<subnet>.<i + 2>. */
  subnet?: number;
  username?: string;
  password?: string;
  /** Folder of the deploy-tracking component; defaults to this package. */
  componentDir?: string;
  /** Extra environment for every node, such as shorter deploy timeouts in tests. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

export interface ClusterNode {
  index: number;
  name: string;
  address: string;
  httpUrl: string;
  operationsUrl: string;
  rootPath: string;
  logFile: string;
  pid: number | null;
}

interface NodeProcess {
  node: ClusterNode;
  child: ChildProcess | null;
  exited: Promise<void> | null;
}

/** The file `pnpm cluster up` writes so that `pnpm cluster down` finds the processes. */
export interface ClusterState {
  baseDir: string;
  username: string;
  nodes: ClusterNode[];
}

/** This package's folder, found from the module's location in `src/harness` or in `dist`. */
const packageDir = findPackageDir(dirname(fileURLToPath(import.meta.url)));

function findPackageDir(start: string): string {
  let directory = start;
  while (
    !existsSync(join(directory, 'config.yaml')) ||
    !existsSync(join(directory, 'package.json'))
  ) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no component folder above ${start}`);
    directory = parent;
  }
  return directory;
}

function harperBinary(): string {
  // harperdb's exports map hides package.json, so the package folder is found from node_modules.
  const folder = join(packageDir, 'node_modules', 'harperdb');
  if (!existsSync(join(folder, 'bin', 'harperdb.js'))) {
    throw new Error(`harperdb is not installed in ${folder}: run pnpm install`);
  }
  return join(folder, 'bin', 'harperdb.js');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

export class HarperCluster {
  readonly username: string;
  readonly password: string;
  readonly nodes: ClusterNode[];
  private readonly processes: NodeProcess[];
  private readonly options: Required<Omit<ClusterOptions, 'env'>> & { env: Record<string, string> };

  constructor(options: ClusterOptions) {
    const nodeCount = options.nodes ?? 3;
    if (!Number.isInteger(nodeCount) || nodeCount < 1) {
      throw new Error(`invalid node count ${nodeCount}: pass a whole number of at least 1`);
    }
    this.options = {
      nodes: nodeCount,
      baseDir: resolve(options.baseDir),
      subnet: options.subnet ?? 0,
      username: options.username ?? DEFAULT_USERNAME,
      password: options.password ?? DEFAULT_PASSWORD,
      componentDir: options.componentDir ?? packageDir,
      env: options.env ?? {},
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    };
    this.username = this.options.username;
    this.password = this.options.password;
    this.nodes = Array.from({ length: nodeCount }, (_, index) => {
      const address = `127.0.${this.options.subnet}.${index + 2}`;
      const nodeDir = join(this.options.baseDir, `node-${index + 1}`);
      return {
        index,
        name: address,
        address,
        httpUrl: `http://${address}:${DEFAULT_HTTP_PORT}`,
        operationsUrl: `http://${address}:${DEFAULT_OPERATIONS_PORT}`,
        rootPath: join(nodeDir, 'root'),
        logFile: join(nodeDir, 'harper.log'),
        pid: null,
      };
    });
    this.processes = this.nodes.map((node) => ({ node, child: null, exited: null }));
  }

  get authorization(): string {
    return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
  }

  /**
   * Starts every node, then waits until the deploy route responds on each and replication is
   * connected. With `fresh`, data left in `baseDir` by an earlier run is removed first.
   */
  async start(options: { fresh?: boolean } = {}): Promise<void> {
    if (options.fresh) {
      await stopFromState(this.options.baseDir);
      await rm(this.options.baseDir, { recursive: true, force: true });
    }
    await mkdir(this.options.baseDir, { recursive: true });
    try {
      for (const node of this.nodes) this.spawnNode(node.index);
      await this.writeState();
      await Promise.all(this.nodes.map((node) => this.waitForNode(node.index)));
      await this.waitForReplication();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Starts one node that was stopped or killed, keeping its data, and waits until it is ready. */
  async startNode(index: number): Promise<void> {
    this.spawnNode(index);
    await this.writeState();
    await this.waitForNode(index);
    await this.waitForReplication();
  }

  /** Kills one node at once with SIGKILL, as a crash would. */
  async killNode(index: number): Promise<void> {
    await this.stopNode(index, 0);
  }

  /** Stops one node with SIGTERM, then SIGKILL after the grace period. */
  async stopNode(index: number, graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    const entry = this.processAt(index);
    const child = entry.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(child, graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    await entry.exited;
    clearTimeout(timer);
    entry.node.pid = null;
  }

  /** Stops every node this cluster started. */
  async stop(options: { clean?: boolean } = {}): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.stopNode(node.index)));
    if (options.clean) await rm(this.options.baseDir, { recursive: true, force: true });
    else await this.writeState();
  }

  /**
   * Returns each running node's peak resident memory in bytes, read from Linux's
   * /proc/<pid>/status (VmHWM); null where the node is stopped or /proc is missing.
   */
  async peakMemoryBytes(): Promise<Array<{ node: string; peakBytes: number | null }>> {
    return Promise.all(
      this.nodes.map(async (node) => {
        if (node.pid === null) return { node: node.name, peakBytes: null };
        try {
          const status = await readFile(`/proc/${node.pid}/status`, 'utf8');
          const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
          return { node: node.name, peakBytes: match ? Number(match[1]) * 1024 : null };
        } catch {
          return { node: node.name, peakBytes: null };
        }
      }),
    );
  }

  /** Lets this process exit while the nodes keep running; `stopFromState` stops them later. */
  detach(): void {
    for (const entry of this.processes) entry.child?.unref();
  }

  /** Runs an operations API request on one node. */
  async operation<T = unknown>(index: number, body: Record<string, unknown>): Promise<T> {
    const node = this.processAt(index).node;
    const response = await fetch(node.operationsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: this.authorization },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${String(body.operation)} on ${node.name} failed with ${response.status}: ${text}`,
      );
    }
    return JSON.parse(text) as T;
  }

  private processAt(index: number): NodeProcess {
    const entry = this.processes[index];
    if (!entry) throw new Error(`no node ${index}: this cluster has ${this.nodes.length} nodes`);
    return entry;
  }

  private spawnNode(index: number): void {
    const entry = this.processAt(index);
    const { node } = entry;
    const nodeDir = dirname(node.rootPath);
    const home = join(nodeDir, 'home');
    const routes = this.nodes
      .filter((other) => other.index !== index)
      .map((other) => ({ hostname: other.address, port: DEFAULT_OPERATIONS_PORT }));
    const rootConfig = {
      'deploy-tracking': { package: `file:${this.options.componentDir}` },
      replication: {
        port: `${node.address}:${DEFAULT_OPERATIONS_PORT}`,
        securePort: null,
        routes,
      },
    };

    const env: Record<string, string> = {
      ...filteredEnv(),
      ...this.options.env,
      HOME: home,
      ROOTPATH: node.rootPath,
      TC_AGREEMENT: 'yes',
      HDB_ADMIN_USERNAME: this.username,
      HDB_ADMIN_PASSWORD: this.password,
      DEFAULTS_MODE: 'prod',
      THREADS_COUNT: '1',
      THREADS_DEBUG: 'false',
      NODE_HOSTNAME: node.address,
      REPLICATION_HOSTNAME: node.address,
      OPERATIONSAPI_NETWORK_PORT: `${node.address}:${DEFAULT_OPERATIONS_PORT}`,
      OPERATIONSAPI_NETWORK_SECUREPORT: 'null',
      HTTP_PORT: `${node.address}:${DEFAULT_HTTP_PORT}`,
      HTTP_SECUREPORT: 'null',
      MQTT_NETWORK_PORT: 'null',
      MQTT_NETWORK_SECUREPORT: 'null',
      MQTT_WEBSOCKET: 'false',
      LOCALSTUDIO_ENABLED: 'false',
      HARPER_SET_CONFIG: JSON.stringify(rootConfig),
      NO_COLOR: '1',
    };

    mkdirSync(home, { recursive: true });
    // The log file descriptor goes straight to the child, so the node keeps running and logging
    // after the process that started it exits (as `pnpm cluster up` does).
    const log = openSync(node.logFile, 'a');
    const child = spawn(process.execPath, [harperBinary()], {
      env,
      cwd: nodeDir,
      // A process group of its own lets stop() kill anything harperdb spawned.
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    entry.child = child;
    node.pid = child.pid ?? null;
    entry.exited = new Promise((resolveExit) => {
      child.once('exit', () => resolveExit());
      child.once('error', () => resolveExit());
    });
  }

  private async waitForNode(index: number): Promise<void> {
    const entry = this.processAt(index);
    const deadline = Date.now() + this.options.readyTimeoutMs;
    let lastError = 'no response yet';
    while (Date.now() < deadline) {
      if (entry.child && (entry.child.exitCode !== null || entry.child.signalCode !== null)) {
        throw new Error(
          `node ${entry.node.name} exited before it was ready; see ${entry.node.logFile}`,
        );
      }
      try {
        // The health route runs inside the deploy-tracking component and checks credentials,
        // so a 200 proves the component loaded and requests reach it, not only that a port
        // is open.
        const response = await fetch(`${entry.node.httpUrl}/deploy_health`, {
          headers: { authorization: this.authorization },
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) {
          const body = (await response.json()) as { ok?: boolean };
          if (body.ok) return;
        }
        lastError = `status ${response.status}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error(
      `node ${entry.node.name} was not ready within ${this.options.readyTimeoutMs} ms (${lastError}); see ${entry.node.logFile}`,
    );
  }

  /** Waits until every running node reports a connected socket to every other running node. */
  async waitForReplication(): Promise<void> {
    const running = this.processes.filter(
      (entry) => entry.child && entry.child.exitCode === null && entry.child.signalCode === null,
    );
    if (running.length < 2) return;
    const deadline = Date.now() + this.options.readyTimeoutMs;
    let pending = 'no status yet';
    while (Date.now() < deadline) {
      const states = await Promise.all(
        running.map(async (entry) => {
          try {
            const status = await this.operation<ClusterStatus>(entry.node.index, {
              operation: 'cluster_status',
            });
            return running
              .filter((other) => other !== entry)
              .every((other) =>
                status.connections?.some(
                  (connection) =>
                    connection.name === other.node.name &&
                    connection.database_sockets?.length &&
                    connection.database_sockets.every((socket) => socket.connected),
                ),
              );
          } catch (error) {
            pending = (error as Error).message;
            return false;
          }
        }),
      );
      if (states.every(Boolean)) return;
      pending = `not every node is connected to every other node`;
      await sleep(POLL_INTERVAL_MS * 2);
    }
    throw new Error(
      `replication did not connect within ${this.options.readyTimeoutMs} ms: ${pending}`,
    );
  }

  private async writeState(): Promise<void> {
    const state: ClusterState = {
      baseDir: this.options.baseDir,
      username: this.username,
      nodes: this.nodes,
    };
    await writeFile(
      join(this.options.baseDir, 'cluster.json'),
      `${JSON.stringify(state, null, 2)}\n`,
    );
  }
}

interface ClusterStatus {
  connections?: Array<{
    name: string;
    database_sockets?: Array<{ database: string; connected: boolean }>;
  }>;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Copies the caller's environment without Harper settings that would override the node's own. */
function filteredEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (
      /^(HDB_|HARPER_|ROOTPATH$|NODE_HOSTNAME$|THREADS_|HTTP_|OPERATIONSAPI_|REPLICATION_)/.test(
        key,
      )
    ) {
      continue;
    }
    if (key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return env;
}

/** Stops the processes listed in a state file written by a previous `start()`. */
export async function stopFromState(
  baseDir: string,
  graceMs = DEFAULT_STOP_GRACE_MS,
): Promise<number> {
  const file = join(resolve(baseDir), 'cluster.json');
  if (!existsSync(file)) return 0;
  const state = JSON.parse(await readFile(file, 'utf8')) as ClusterState;
  let stopped = 0;
  for (const node of state.nodes) {
    if (node.pid === null || !isAlive(node.pid)) continue;
    stopped++;
    try {
      process.kill(-node.pid, 'SIGTERM');
    } catch {
      continue;
    }
    const deadline = Date.now() + graceMs;
    while (isAlive(node.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(node.pid)) {
      try {
        process.kill(-node.pid, 'SIGKILL');
      } catch {
        // Gone between the check and the kill.
      }
    }
  }
  return stopped;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
