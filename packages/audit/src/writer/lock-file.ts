import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * One writer per log: a lock file beside it holding the writer's pid and host. A lock left by a
 * process that is gone (a crash) is taken over; one held by a live process refuses the second
 * writer, so that two writers never interleave in one chain.
 */
export function acquireLock(lockPath: string, what: string): () => void {
  const mine = JSON.stringify({ pid: process.pid, host: hostname() });
  try {
    writeFileSync(lockPath, mine, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = readHolder(lockPath);
    if (holder && holder.host === hostname() && isAlive(holder.pid)) {
      throw new Error(`${what}: the log is written by process ${holder.pid} (lock ${lockPath}); one writer per log`);
    }
    if (holder && holder.host !== hostname()) {
      throw new Error(`${what}: the log is locked by host ${holder.host} (lock ${lockPath}); one writer per log`);
    }
    writeFileSync(lockPath, mine, { mode: 0o600 });
  }
  return () => rmSync(lockPath, { force: true });
}

function readHolder(lockPath: string): { pid: number; host: string } | undefined {
  try {
    const value = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof value.pid === 'number' && typeof value.host === 'string'
      ? { pid: value.pid, host: value.host }
      : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
