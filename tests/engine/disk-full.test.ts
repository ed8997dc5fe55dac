/**
 * Full disks, on a real small file system: a tmpfs mounted for the test
 * (needs root; skipped elsewhere). A disk that fills mid-run stops with one
 * line naming the folder and the room a checkpoint needs, the last good
 * checkpoint stays intact and resumes bit for bit once there is room; a disk
 * full at the start leaves no run folder; low space warns early; a disk
 * that fills in the middle of a checkpoint's write (after the free-space
 * check let it start) leaves the previous checkpoint intact, no half-written
 * temp folder, and a bit-exact resume.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statfsSync, watch, writeFileSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { DiskFullError } from '../../src/engine/io/disk';
import { resumeRun, trainNewRun } from '../../src/engine/train/run-training';
import { blobData, onBackend } from '../helpers/tf';
import { tempDirSync } from '../helpers/temp';

const mnt = tempDirSync('gan-studio-tmpfs-');
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => onBackend('wasm'));
afterAll(() => {
  if (canMount) execFileSync('umount', [mnt], { stdio: 'ignore' });
});

const config = parseConfig({
  name: 'full',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 5,
  steps: 4,
  sampleEvery: 0,
  checkpointEvery: 2,
});
const data = blobData(8, 16, 3);
/** Take all but `leave` bytes of the tmpfs, synchronously (so it happens between two steps of the run). */
function fill(name: string, leave: number): void {
  const s = statfsSync(mnt);
  writeFileSync(path.join(mnt, name), Buffer.alloc(Math.max(0, s.bavail * s.bsize - leave)));
}

describe.skipIf(!canMount)('disk space', () => {
  it('a disk that fills mid-run: one clear line, last good checkpoint intact, bit-exact resume after making room', async () => {
    const out = path.join(mnt, 'b');
    mkdirSync(out);
    const straight = await trainNewRun(tempDirSync(), { config, data, datasetKey: 'k', backend: 'wasm' });
    let runDir = '';
    const err = await trainNewRun(out, {
      config,
      data,
      datasetKey: 'k',
      backend: 'wasm',
      onEvent: (e) => {
        if (e.type === 'start') runDir = e.runDir;
        if (e.type === 'checkpoint' && e.step === 2) fill('filler', 20_000);
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    const message = (err as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^Disk full: cannot write in ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(0\\.\\d MB free; a checkpoint of this model needs about \\d+\\.\\d MB\\)\\. The last good checkpoint \\(step 2\\) is intact\\. Make room, then continue with: gan-studio train --resume `,
      ),
    );
    expect(await readdir(path.join(runDir, 'checkpoints'))).toEqual(['step-000002']);
    expect(JSON.parse(await readFile(path.join(runDir, 'status.json'), 'utf8'))).toMatchObject({
      status: 'failed',
      error: message,
    });

    await rm(path.join(mnt, 'filler'));
    await resumeRun(runDir, { config, data, datasetKey: 'k', backend: 'wasm' });
    for (const model of ['g', 'd', 'g_ema']) {
      const a = await readFile(path.join(runDir, 'checkpoints', 'step-000004', model, 'weights.bin'));
      const b = await readFile(path.join(straight, 'checkpoints', 'step-000004', model, 'weights.bin'));
      expect(Buffer.compare(a, b), model).toBe(0);
    }
  });

  it('a disk that fills in the middle of a checkpoint write: previous checkpoint intact, temp folder gone, bit-exact resume', async () => {
    const out = path.join(mnt, 'e');
    mkdirSync(out);
    const straight = await trainNewRun(tempDirSync(), { config, data, datasetKey: 'k', backend: 'wasm' });
    let runDir = '';
    let watcher: ReturnType<typeof watch> | null = null;
    const seen: string[] = [];
    const err = await trainNewRun(out, {
      config,
      data,
      datasetKey: 'k',
      backend: 'wasm',
      onEvent: (e) => {
        if (e.type === 'start') runDir = e.runDir;
        // Once step 2 is saved, watch for the temp folder of step 4's save: the disk fills while it is being written.
        if (e.type === 'checkpoint' && e.step === 2) {
          watcher = watch(path.join(runDir, 'checkpoints'), (_, name) => {
            if (!name?.startsWith('.step-000004.tmp-') || seen.length > 0) return;
            seen.push(name);
            fill('filler', 0);
          });
        }
      },
    })
      .catch((e: unknown) => e)
      .finally(() => (watcher as ReturnType<typeof watch> | null)?.close());
    try {
      // The free-space check before the save passed: the write itself hit ENOSPC.
      expect(seen).toHaveLength(1);
      expect(err).toBeInstanceOf(DiskFullError);
      expect((err as Error).message).toMatch(
        /^Disk full: cannot write in .*The last good checkpoint \(step 2\) is intact\./,
      );
      // Only the previous checkpoint: the half-written temp folder was removed.
      expect(await readdir(path.join(runDir, 'checkpoints'))).toEqual(['step-000002']);
      for (const model of ['g', 'd', 'g_ema']) {
        const a = await readFile(path.join(runDir, 'checkpoints', 'step-000002', model, 'weights.bin'));
        const b = await readFile(path.join(straight, 'checkpoints', 'step-000002', model, 'weights.bin'));
        expect(Buffer.compare(a, b), model).toBe(0);
      }
    } finally {
      await rm(path.join(mnt, 'filler'), { force: true });
    }
    await resumeRun(runDir, { config, data, datasetKey: 'k', backend: 'wasm' });
    for (const model of ['g', 'd', 'g_ema']) {
      const a = await readFile(path.join(runDir, 'checkpoints', 'step-000004', model, 'weights.bin'));
      const b = await readFile(path.join(straight, 'checkpoints', 'step-000004', model, 'weights.bin'));
      expect(Buffer.compare(a, b), model).toBe(0);
    }
    expect((await readdir(path.join(runDir, 'checkpoints'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a disk already full at the start leaves no run folder', async () => {
    const out = path.join(mnt, 'c');
    mkdirSync(out);
    fill('filler', 0);
    try {
      const err = await trainNewRun(out, { config, data, datasetKey: 'k', backend: 'wasm' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiskFullError);
      expect((err as Error).message).toMatch(
        /^Disk full: cannot write in .*\/c \(0\.0 MB free; a checkpoint of this model needs about [\d.]+ MB\)\. Make room \(or pass --out on another disk\) and start again\.$/,
      );
      expect(await readdir(out)).toEqual([]);
    } finally {
      await rm(path.join(mnt, 'filler'));
    }
  });

  it('warns early while there is room for fewer than 3 more checkpoints', async () => {
    const out = path.join(mnt, 'd');
    mkdirSync(out);
    const warnings: string[] = [];
    try {
      await trainNewRun(out, {
        config,
        data,
        datasetKey: 'k',
        backend: 'wasm',
        onEvent: (e) => {
          if (e.type === 'warning') warnings.push(e.message);
          // About 2 checkpoints of room (the estimate is ~0.3 MB for this model).
          if (e.type === 'start') fill('filler', 700_000);
        },
      });
    } finally {
      await rm(path.join(mnt, 'filler'), { force: true });
    }
    expect(
      warnings.filter((w) =>
        /^Low disk space in .*: [\d.]+ MB free, a checkpoint needs about [\d.]+ MB\. Make room before the disk fills\.$/.test(
          w,
        ),
      ),
    ).toHaveLength(1);
  });
});
