/**
 * One trainer per run, and run folders that are never half made: the lock
 * file against a real second process, stale locks of killed and reused pids,
 * the status a reader sees for a killed run, and config.json being there the
 * moment the folder is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { RunLockedError, acquireRunLock, assertRunUnlocked, readLockHolder } from '../../../src/engine/run/lock';
import { LOCK_FILE, createRunDir, listRunFolders } from '../../../src/engine/run/run-dir';
import { readRunStatus, writeRunStatus } from '../../../src/engine/run/status';
import { tempDir } from '../../helpers/temp';

const HOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hold-new-run.ts');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Start hold-new-run.ts and resolve once it printed `line`. */
function startHolder(args: string[], line: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      if (out.includes(line)) resolve(child);
    });
    child.stderr!.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => reject(new Error(`holder exited (${code}) before "${line}": ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function runFolder(): Promise<string> {
  const dir = path.join(await tempDir('gan-lock-'), '00001-run');
  await mkdir(dir, { recursive: true });
  return dir;
}

describe('the run lock', () => {
  it('refuses a second trainer while another process holds the run, naming that process', async () => {
    const dir = await runFolder();
    const holder = await startHolder([dir, 'lock'], 'locked');
    expect(await readLockHolder(dir)).toMatchObject({ state: 'live', lock: { pid: holder.pid, host: os.hostname() } });

    const refused = await acquireRunLock(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RunLockedError);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^Run ${dir} is being trained by process ${holder.pid} on this machine \\(.+\\) since .+; stop that one first\\.$`,
      ),
    );
    expect((refused as Error).message).not.toContain('\n');
    await expect(assertRunUnlocked(dir)).rejects.toBeInstanceOf(RunLockedError);
    // The refusal left the holder's lock as it was.
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: holder.pid });

    // Once the holder is killed (kill -9: no chance to clean up), its lock is stale and is taken over.
    await killed(holder);
    expect(await readLockHolder(dir)).toMatchObject({ state: 'stale', lock: { pid: holder.pid } });
    await assertRunUnlocked(dir);
    const mine = await acquireRunLock(dir);
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await mine.release(dir);
    expect(await readdir(dir)).toEqual([]);
  });

  it('is held by one of two trainers racing for a stale lock, never by both', async () => {
    const dir = await runFolder();
    await writeFile(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: 999_999_999, host: os.hostname(), procStart: null, startedAt: '', token: 'dead' }),
    );
    const results = await Promise.allSettled([acquireRunLock(dir), acquireRunLock(dir), acquireRunLock(dir)]);
    // All three are this process, so the winner's lock is live for the others: exactly one wins.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RunLockedError);
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE]);
  });

  it('treats a pid now used by another process as stale (Linux: the process start time differs)', async () => {
    if (process.platform !== 'linux') return;
    const dir = await runFolder();
    // This very process, but recorded with another start time: the pid was reused.
    await writeFile(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: os.hostname(), procStart: '1', startedAt: '', token: 'x' }),
    );
    expect((await readLockHolder(dir)).state).toBe('stale');
    const lock = await acquireRunLock(dir);
    await lock.release(dir);
  });

  it('respects the lock of another host, and says which file to delete if that host is idle', async () => {
    const dir = await runFolder();
    await writeFile(
      path.join(dir, LOCK_FILE),
      JSON.stringify({
        pid: 1234,
        host: 'elsewhere.example',
        procStart: null,
        startedAt: '2026-01-01T00:00:00.000Z',
        token: 't',
      }),
    );
    await expect(acquireRunLock(dir)).rejects.toThrow(
      `Run ${dir} is locked by process 1234 on host elsewhere.example since 2026-01-01T00:00:00.000Z; if that machine is not training it, delete ${path.join(dir, LOCK_FILE)}.`,
    );
  });

  it('takes over a torn lock file (a kill while it was written by an old build)', async () => {
    const dir = await runFolder();
    await writeFile(path.join(dir, LOCK_FILE), '{"pid": 12');
    expect((await readLockHolder(dir)).state).toBe('stale');
    (await acquireRunLock(dir)).release(dir);
  });
});

describe('the status readers see', () => {
  it('a killed trainer leaves status.json saying running; readers see interrupted', async () => {
    const dir = await runFolder();
    const holder = await startHolder([dir, 'lock'], 'locked');
    // What the trainer wrote while it was alive: running, with its pid.
    await writeRunStatus(dir, { status: 'running', step: 7, steps: 100, backend: 'wasm', pid: holder.pid! });
    expect((await readRunStatus(dir)).status).toBe('running');
    await killed(holder);
    const seen = await readRunStatus(dir);
    expect(seen.status).toBe('interrupted');
    expect(seen.file).toMatchObject({ status: 'running', step: 7, pid: holder.pid });
  });

  it('finished, stopped and failed stand as written; no status.json is new', async () => {
    const dir = await runFolder();
    expect((await readRunStatus(dir)).status).toBe('new');
    for (const status of ['finished', 'stopped', 'failed'] as const) {
      await writeRunStatus(dir, { status, step: 3, steps: 3, backend: 'wasm' });
      expect((await readRunStatus(dir)).status).toBe(status);
    }
  });

  it("a run from before locks (no train.lock) is running only while status.json's pid lives", async () => {
    const dir = await runFolder();
    await writeRunStatus(dir, { status: 'paused', step: 3, steps: 9, backend: 'wasm', pid: 999_999_999 });
    expect((await readRunStatus(dir)).status).toBe('interrupted');
  });
});

describe('creating a run folder', () => {
  it('shows no run folder until config.json is in it, even when killed while writing it', async () => {
    const out = await tempDir('gan-create-');
    const holder = await startHolder([out], 'filling');
    // Mid-creation: the half-written config.json is only in a hidden temp folder.
    expect(await listRunFolders(out)).toEqual([]);
    await killed(holder);
    expect(await listRunFolders(out)).toEqual([]);
    expect((await readdir(out)).filter((n) => n.startsWith('.new-held.tmp-'))).toHaveLength(1);
    // The next run still gets number 1, complete, and clears what the killed one left.
    const dir = await createRunDir(out, 'next', async (tmp) => writeFile(path.join(tmp, 'config.json'), '{}'));
    expect(path.basename(dir)).toBe('00001-next');
    expect((await readdir(dir)).sort()).toEqual(['checkpoints', 'config.json', 'samples']);
    expect(await readdir(out)).toEqual(['00001-next']);
  });

  it('leaves nothing when filling fails, and numbers concurrent creations apart', async () => {
    const out = await tempDir('gan-create-');
    await expect(createRunDir(out, 'x', async () => Promise.reject(new Error('disk full')))).rejects.toThrow(
      'disk full',
    );
    expect(await readdir(out)).toEqual([]);
    const dirs = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) => createRunDir(out, n, async (tmp) => writeFile(path.join(tmp, 'config.json'), n))),
    );
    expect(dirs.map((d) => path.basename(d).slice(0, 5)).sort()).toEqual(['00001', '00002', '00003', '00004']);
    for (const d of dirs) expect(await readFile(path.join(d, 'config.json'), 'utf8')).toBe(path.basename(d).slice(6));
  });

  it('gives 64 creations at once 64 different numbers (four rounds)', async () => {
    // The race once lost: a creator that read number n before another renamed its n folder in claimed n after
    // the other had released it, and two runs shared the number (one round in three caught it).
    for (let round = 0; round < 4; round++) {
      const out = await tempDir('gan-create-');
      const names = Array.from({ length: 64 }, (_, i) => `r${i}`);
      const dirs = await Promise.all(
        names.map((n) => createRunDir(out, n, async (tmp) => writeFile(path.join(tmp, 'config.json'), n))),
      );
      expect(new Set(dirs.map((d) => path.basename(d).slice(0, 5))).size).toBe(64);
      expect((await readdir(out)).filter((n) => n.startsWith('.'))).toEqual([]);
    }
  });
});
