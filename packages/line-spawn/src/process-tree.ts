import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Milliseconds between two checks for processes left in a stopped tree. */
const TREE_POLL_INTERVAL_MS = 25;

/**
 * Milliseconds to keep checking after SIGKILL. A process in uninterruptible sleep can outlive
 * SIGKILL for a while, and the run must not wait for it without bound.
 */
const AFTER_SIGKILL_WAIT_MS = 1000;

/** Signal sent to a process tree: SIGTERM first, then SIGKILL. */
export type TreeSignal = 'SIGTERM' | 'SIGKILL';

/**
 * Sends `signal` to the child and its descendants.
 *
 * On POSIX the child leads its own process group, because it was spawned detached, so the signal
 * goes to the whole group. On Windows, `taskkill /T` walks the tree, and `SIGKILL` adds `/F`.
 * NOTE: the Windows branch has not been run by the tests, which run on Linux.
 */
export function signalProcessTree(pid: number, signal: TreeSignal): void {
  if (process.platform === 'win32') {
    const args = ['/pid', String(pid), '/T'];
    if (signal === 'SIGKILL') {
      args.push('/F');
    }
    const taskkill = spawn('taskkill', args, { stdio: 'ignore', windowsHide: true });
    // A tree that is already gone makes taskkill fail, which needs no handling.
    taskkill.on('error', () => {});
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone. EPERM: the remaining members changed their credentials,
    // and no further signal from this process can reach them.
    if (!isErrnoCode(error, 'ESRCH') && !isErrnoCode(error, 'EPERM')) {
      throw error;
    }
  }
}

/**
 * Resolves once no running process is left in the POSIX process group `pgid`. Sends SIGKILL to
 * the group when `performance.now()` reaches `killAt`, and resolves at most
 * `AFTER_SIGKILL_WAIT_MS` later even if a process survives.
 */
export async function waitForProcessGroupExit(pgid: number, killAt: number): Promise<void> {
  let giveUpAt = Number.POSITIVE_INFINITY;
  while (hasRunningGroupMember(pgid)) {
    const now = performance.now();
    if (now >= giveUpAt) {
      return;
    }
    if (giveUpAt === Number.POSITIVE_INFINITY && now >= killAt) {
      signalProcessTree(pgid, 'SIGKILL');
      giveUpAt = now + AFTER_SIGKILL_WAIT_MS;
    }
    await delay(TREE_POLL_INTERVAL_MS);
  }
}

/**
 * Returns whether the process group `pgid` has a member that is not a zombie.
 *
 * kill(2) with signal 0 also succeeds for zombies. An orphaned grandchild stays a zombie until
 * init reaps it, and the init of some containers never does, so on Linux the members' states are
 * read from /proc.
 */
export function hasRunningGroupMember(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return isErrnoCode(error, 'EPERM');
  }
  if (process.platform !== 'linux') {
    return true;
  }
  return hasRunningMemberInProc(pgid);
}

function hasRunningMemberInProc(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) {
      continue;
    }
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      // The process ended between the listing and the read.
      continue;
    }
    // The command name in parentheses may contain spaces, so the fields after it are found from
    // the last ')': state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') {
      return true;
    }
  }
  return false;
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
