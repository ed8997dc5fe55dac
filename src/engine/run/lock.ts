/**
 * One trainer per run: `train.lock` in the run folder holds the pid and host
 * of the process training it. Created with O_EXCL, so of two trainers only
 * one gets it; removed when the trainer ends. A lock whose process is gone
 * (a kill -9, a crash, a power cut) is stale and is taken over, so a dead
 * process never leaves a run locked.
 *
 * "Is the holder alive" is answered for the same host only: the pid must
 * exist and, on Linux, be the same process (its start time in /proc matches
 * the one recorded), so a pid reused by an unrelated process does not count.
 * A lock from another host (a shared drive) cannot be checked from here and
 * is respected; the refusal says which file to delete if that host is idle.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors';
import { LOCK_FILE } from './run-dir';

export interface LockInfo {
  pid: number;
  host: string;
  /** The process's start time as the kernel counts it (Linux /proc/<pid>/stat field 22); null elsewhere. */
  procStart: string | null;
  startedAt: string;
  /** Random, so a holder can tell its own lock from one that replaced it. */
  token: string;
}

/** The holder of a run's lock, as readers should treat it. */
export type LockHolder =
  | { state: 'none' }
  | { state: 'live'; lock: LockInfo }
  /** Another host holds it: it cannot be checked from here. */
  | { state: 'foreign-host'; lock: LockInfo }
  /** The process is gone, or its pid now belongs to another process. */
  | { state: 'stale'; lock: LockInfo | null };

/** Thrown when another process trains the run. One line that names the holder. */
export class RunLockedError extends UserError {
  override name = 'RunLockedError';
  constructor(
    message: string,
    readonly holder: LockInfo,
  ) {
    super(message);
  }
}

function procStartOf(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall
  } catch {
    return null;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that wrote `lock` is still running here. */
export function lockHolderAlive(lock: Pick<LockInfo, 'pid' | 'procStart'>): boolean {
  if (!Number.isInteger(lock.pid) || lock.pid <= 0 || !pidExists(lock.pid)) return false;
  if (lock.procStart === null) return true;
  const now = procStartOf(lock.pid);
  return now === null || now === lock.procStart;
}

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string') return null;
    return {
      pid: v.pid,
      host: v.host,
      procStart: v.procStart ?? null,
      startedAt: String(v.startedAt ?? ''),
      token: String(v.token ?? ''),
    };
  } catch {
    return null;
  }
}

async function readLockFile(file: string): Promise<{ text: string; lock: LockInfo | null } | null> {
  try {
    const text = await readFile(file, 'utf8');
    return { text, lock: parseLock(text) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function judge(lock: LockInfo | null): LockHolder {
  if (!lock) return { state: 'stale', lock: null }; // a torn or foreign file: no one can be holding it
  if (lock.host !== os.hostname()) return { state: 'foreign-host', lock };
  return lockHolderAlive(lock) ? { state: 'live', lock } : { state: 'stale', lock };
}

/** Who holds the run's lock now (reads only). */
export async function readLockHolder(runDir: string): Promise<LockHolder> {
  const found = await readLockFile(path.join(runDir, LOCK_FILE));
  return found ? judge(found.lock) : { state: 'none' };
}

function describeHolder(runDir: string, holder: Extract<LockHolder, { state: 'live' | 'foreign-host' }>): string {
  const { pid, host, startedAt } = holder.lock;
  const since = startedAt ? ` since ${startedAt}` : '';
  return holder.state === 'live'
    ? `Run ${runDir} is being trained by process ${pid} on this machine (${host})${since}; stop that one first.`
    : `Run ${runDir} is locked by process ${pid} on host ${host}${since}; if that machine is not training it, delete ${path.join(runDir, LOCK_FILE)}.`;
}

/** Refuse at once, before any slow work, when another trainer holds the run. */
export async function assertRunUnlocked(runDir: string): Promise<void> {
  const holder = await readLockHolder(runDir);
  if (holder.state === 'live' || holder.state === 'foreign-host')
    throw new RunLockedError(describeHolder(runDir, holder), holder.lock);
}

function newLockInfo(): LockInfo {
  return {
    pid: process.pid,
    host: os.hostname(),
    procStart: procStartOf(process.pid),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
}

/** Write a fresh lock into a folder no one else can see yet (a run folder being created). */
export async function writeNewLock(dir: string, lock: LockInfo = newLockInfo()): Promise<RunLock> {
  await writeFile(path.join(dir, LOCK_FILE), JSON.stringify(lock), { flag: 'wx' });
  return new RunLock(lock);
}

/** A lock this process holds. `release(runDir)` removes it if it is still ours. */
export class RunLock {
  constructor(readonly info: LockInfo) {}

  async release(runDir: string): Promise<void> {
    const file = path.join(runDir, LOCK_FILE);
    const found = await readLockFile(file).catch(() => null);
    if (found?.lock?.token === this.info.token) await rm(file, { force: true });
  }
}

/**
 * Take the run's lock, or throw RunLockedError naming the process that holds
 * it. A stale lock is taken over: moved aside under a unique name, checked to
 * be the very one judged stale (else it is put back: another trainer won the
 * race), then the new lock is created with O_EXCL.
 */
export async function acquireRunLock(runDir: string): Promise<RunLock> {
  const file = path.join(runDir, LOCK_FILE);
  const mine = newLockInfo();
  for (let attempt = 0; attempt < 20; attempt++) {
    // Write the whole lock under a temp name, then link() it: the lock file never exists half-written.
    const tmp = `${file}.tmp-${mine.token}`;
    await writeFile(tmp, JSON.stringify(mine));
    try {
      await link(tmp, file);
      return new RunLock(mine);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      await rm(tmp, { force: true });
    }
    const found = await readLockFile(file);
    if (!found) continue; // released a moment ago
    const holder = judge(found.lock);
    if (holder.state === 'live' || holder.state === 'foreign-host')
      throw new RunLockedError(describeHolder(runDir, holder), holder.lock);
    const aside = `${file}.stale-${mine.token}`;
    try {
      await rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = await readFile(aside, 'utf8').catch(() => null);
    if (moved !== null && moved !== found.text) {
      // Between our read and the rename another trainer took the stale lock: give its lock back.
      await link(aside, file).catch(() => undefined);
    }
    await rm(aside, { force: true });
  }
  throw new Error(`could not take the lock of ${runDir}`);
}
