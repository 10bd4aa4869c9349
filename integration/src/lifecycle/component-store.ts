// The locations of component versions on this node: new versions are extracted and installed in a
// staging folder, swapped into Harper's components folder, and the previous version is kept
// aside until the deployment is final so it can be restored.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface ComponentStore {
  /** Harper's components folder; every folder in it is loaded when the workers start. */
  componentsDir: string;
  stagingDir(deploymentId: string): string;
  backupDir(project: string, deploymentId: string): string;
}

/** Builds the store for a Harper root path. */
export function componentStore(rootPath: string): ComponentStore {
  const workDir = join(rootPath, 'deploy-tracking');
  return {
    componentsDir: join(rootPath, 'components'),
    stagingDir: (deploymentId) => join(workDir, 'staging', deploymentId),
    backupDir: (project, deploymentId) => join(workDir, 'backups', `${project}--${deploymentId}`),
  };
}

export interface SwapResult {
  liveDir: string;
  /** The previous version's folder, or null when the project is new on this node. */
  backupDir: string | null;
}

/** Makes the staged folder the live version, moving the previous version aside. */
export async function swapIn(
  store: ComponentStore,
  project: string,
  deploymentId: string,
): Promise<SwapResult> {
  const liveDir = join(store.componentsDir, project);
  const stagedDir = store.stagingDir(deploymentId);
  const backupDir = store.backupDir(project, deploymentId);
  await mkdir(join(backupDir, '..'), { recursive: true });
  let movedAside = false;
  if (existsSync(liveDir)) {
    await rm(backupDir, { recursive: true, force: true });
    await rename(liveDir, backupDir);
    movedAside = true;
  }
  try {
    await rename(stagedDir, liveDir);
  } catch (error) {
    if (movedAside) await rename(backupDir, liveDir);
    throw error;
  }
  return { liveDir, backupDir: movedAside ? backupDir : null };
}

/** Puts the previous version back, or removes the new one when there was none. */
export async function restorePrevious(swap: SwapResult): Promise<void> {
  await rm(swap.liveDir, { recursive: true, force: true });
  if (swap.backupDir && existsSync(swap.backupDir)) await rename(swap.backupDir, swap.liveDir);
}

/** Drops the previous version once the new one is final. */
export async function dropBackup(swap: SwapResult): Promise<void> {
  if (swap.backupDir) await rm(swap.backupDir, { recursive: true, force: true });
}

/** Removes a staging folder left by a failed or abandoned deployment. */
export async function discardStaging(store: ComponentStore, deploymentId: string): Promise<void> {
  await rm(store.stagingDir(deploymentId), { recursive: true, force: true });
}

/** Removes every staging folder; called at start, when no deployment of this node can be running. */
export async function discardAllStaging(store: ComponentStore): Promise<void> {
  const stagingRoot = join(store.stagingDir('x'), '..');
  if (!existsSync(stagingRoot)) return;
  for (const name of await readdir(stagingRoot)) {
    await rm(join(stagingRoot, name), { recursive: true, force: true });
  }
}
