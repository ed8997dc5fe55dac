/**
 * status.json: what the trainer says about its run, and how every reader
 * (the CLI, the studio's run list) turns it into a RunStatus. The file alone
 * is not trusted for "running": a killed trainer cannot rewrite it, so a run
 * counts as running only while a live process holds its lock.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunStatus, WrittenRunStatus } from '../../shared/run';
import { WRITTEN_RUN_STATUSES } from '../../shared/run';
import { writeFileAtomic } from '../io/atomic';
import { lockHolderAlive, readLockHolder, type LockHolder } from './lock';
import { STATUS_FILE } from './run-dir';

export type { RunStatus, WrittenRunStatus } from '../../shared/run';

export interface StatusFile {
  status: WrittenRunStatus;
  step: number;
  steps: number;
  backend: string;
  pid: number;
  updatedAt: string;
  /** The error line of a failed run. */
  error?: string;
}

export async function writeRunStatus(
  runDir: string,
  status: Omit<StatusFile, 'pid' | 'updatedAt'> & Partial<StatusFile>,
): Promise<void> {
  const full: StatusFile = { pid: process.pid, updatedAt: new Date().toISOString(), ...status };
  await writeFileAtomic(path.join(runDir, STATUS_FILE), JSON.stringify(full, null, 2));
}

/** status.json as written, or null when it is missing or unreadable. Unknown statuses read as null. */
export async function readStatusFile(runDir: string): Promise<StatusFile | null> {
  try {
    const raw = JSON.parse(await readFile(path.join(runDir, STATUS_FILE), 'utf8')) as Partial<StatusFile>;
    if (!raw || !(WRITTEN_RUN_STATUSES as readonly string[]).includes(raw.status as string)) return null;
    return raw as StatusFile;
  } catch {
    return null;
  }
}

export interface RunStatusInfo {
  status: RunStatus;
  file: StatusFile | null;
  holder: LockHolder;
}

/**
 * The run's status as a reader should show it. running/paused stand only
 * while a live process holds the lock (or, for a run made before locks, while
 * status.json's pid is alive); a dead holder, or a pid now used by another
 * process, makes it `interrupted`. A lock of another host cannot be checked
 * and is taken at its word.
 */
export async function readRunStatus(runDir: string): Promise<RunStatusInfo> {
  const [file, holder] = await Promise.all([readStatusFile(runDir), readLockHolder(runDir)]);
  if (!file) return { status: holder.state === 'live' ? 'running' : 'new', file, holder };
  if (file.status !== 'running' && file.status !== 'paused') return { status: file.status, file, holder };
  const alive =
    holder.state === 'live' ||
    holder.state === 'foreign-host' ||
    (holder.state === 'none' && lockHolderAlive({ pid: file.pid, procStart: null }));
  return { status: alive ? file.status : 'interrupted', file, holder };
}
