/**
 * Repairing damaged run folders, each damage made for real on a copy of a
 * fixture run: a stale lock and a status.json saying running, a damaged
 * checkpoint, a checkpoint set aside that verifies again, a half-written
 * checkpoint folder, a lost config.json, stats lines past the newest
 * checkpoint, leftovers of killed writes. A dry run changes nothing; a
 * repair never deletes weights; a live trainer's run is refused.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunConfig } from '../../../src/engine/run/config-file';
import { configHash } from '../../../src/engine/run/config-compat';
import { RunLockedError } from '../../../src/engine/run/lock';
import { planRun } from '../../../src/engine/run/plan';
import { planRepair, repairRun } from '../../../src/engine/run/repair';
import { readRunStatus } from '../../../src/engine/run/status';
import { DCGAN_28, REPO_ROOT, V010_DCGAN_28, fixturePath, type FixtureRun } from '../../helpers/fixture-runs';
import { tempDir } from '../../helpers/temp';

/** A pid no process has any more. */
const deadPid = (() => spawnSync(process.execPath, ['-e', '0']).pid!)();
/** A train.lock as a trainer writes it (src/engine/run/lock.ts). */
const lockOf = (pid: number) =>
  JSON.stringify({ pid, host: os.hostname(), procStart: null, startedAt: new Date().toISOString(), token: '0123abcd' });
const cwd = process.cwd();
beforeAll(() => process.chdir(REPO_ROOT));
afterAll(() => process.chdir(cwd));

async function copyOf(run: FixtureRun): Promise<string> {
  const dir = path.join(await tempDir('gan-repair-'), path.basename(run.folder));
  await cp(fixturePath(run), dir, { recursive: true });
  return dir;
}

async function files(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const f = path.join(e.parentPath, e.name);
    out.set(
      path.relative(dir, f),
      createHash('sha256')
        .update(await readFile(f))
        .digest('hex'),
    );
  }
  return out;
}

const weightHashes = async (dir: string) =>
  [...(await files(dir))]
    .filter(([f]) => f.endsWith('.bin'))
    .map(([, h]) => h)
    .sort();

const ckpt = (dir: string, name: string) => path.join(dir, 'checkpoints', name);

describe('repair', () => {
  it('a sound run needs nothing', async () => {
    const dir = await copyOf(DCGAN_28);
    expect(await planRepair(dir)).toEqual({ runDir: dir, actions: [], unrepairable: [], applied: false });
  });

  it('puts right a killed run: stale lock, status saying running, stats past the checkpoint, temp files', async () => {
    const dir = await copyOf(DCGAN_28);
    await writeFile(path.join(dir, 'train.lock'), lockOf(deadPid));
    const status = JSON.parse(await readFile(path.join(dir, 'status.json'), 'utf8'));
    await writeFile(path.join(dir, 'status.json'), JSON.stringify({ ...status, status: 'running', pid: deadPid }));
    const stats = await readFile(path.join(dir, 'stats.jsonl'), 'utf8');
    await appendFile(path.join(dir, 'stats.jsonl'), `${JSON.stringify({ step: 5, lossD: 1 })}\n{"step": 6, "lo`);
    await writeFile(path.join(dir, `.status.json.tmp-${deadPid}-0a1b2c3d`), '{"sta');
    const outDir = path.dirname(dir);
    await mkdir(path.join(outDir, `.new-other.tmp-${deadPid}-deadbeef`));
    await writeFile(path.join(outDir, `.new-other.tmp-${deadPid}-deadbeef`, 'config.json'), '{}');
    expect((await readRunStatus(dir)).status).toBe('interrupted');

    const before = await files(dir);
    const planned = await planRepair(dir);
    expect(planned.actions.map((a) => a.kind)).toEqual(['stale-lock', 'leftovers', 'leftovers', 'stats', 'status']);
    expect(planned.actions.map((a) => a.description)).toEqual([
      `remove train.lock: process ${deadPid} that held it is gone`,
      `remove .status.json.tmp-${deadPid}-0a1b2c3d: a temp file of an interrupted write`,
      `remove ${path.join(outDir, `.new-other.tmp-${deadPid}-deadbeef`)}: a run folder half made by process ${deadPid}, which is gone (never trained)`,
      'drop 2 lines of stats.jsonl past step 4, the newest checkpoint (a resume trains those steps again)',
      'rewrite status.json: it says running, but no process trains the run: stopped at step 4',
    ]);
    expect(await files(dir)).toEqual(before); // a dry run changes nothing

    const done = await repairRun(dir);
    expect(done).toEqual({ ...planned, applied: true });
    expect((await readdir(dir)).sort()).toEqual(
      ['checkpoints', 'config.json', 'import-report.json', 'run.json', 'samples', 'stats.jsonl', 'status.json'].sort(),
    );
    expect(await readdir(outDir)).toEqual([path.basename(dir)]);
    expect(await readFile(path.join(dir, 'stats.jsonl'), 'utf8')).toBe(stats);
    expect(await readRunStatus(dir)).toMatchObject({
      status: 'stopped',
      file: { step: 4, steps: 4 },
      holder: { state: 'none' },
    });
    expect(await planRepair(dir)).toMatchObject({ actions: [], unrepairable: [] });
  });

  it('sets damaged and half-written checkpoints aside, brings back one that verifies, and deletes no weights', async () => {
    const dir = await copyOf(DCGAN_28);
    // step 6: a copy of step 4 with its G weights cut short; step 4 itself sits in damaged/ though intact.
    await cp(ckpt(dir, 'step-000004'), ckpt(dir, 'step-000006'), { recursive: true });
    await truncate(path.join(ckpt(dir, 'step-000006'), 'g', 'weights.bin'), 100);
    await mkdir(ckpt(dir, 'damaged'));
    await cp(ckpt(dir, 'step-000004'), path.join(ckpt(dir, 'damaged'), 'step-000004'), { recursive: true });
    await rm(ckpt(dir, 'step-000004'), { recursive: true });
    await cp(ckpt(dir, 'step-000006'), ckpt(dir, '.step-000008.tmp-4242-abcd1234'), { recursive: true });
    await rm(path.join(ckpt(dir, '.step-000008.tmp-4242-abcd1234'), 'state.json'));
    const weights = await weightHashes(dir);

    const done = await repairRun(dir);
    expect(done.actions.map((a) => a.description)).toEqual([
      'move .step-000008.tmp-4242-abcd1234 to checkpoints/damaged/: a checkpoint whose write never finished',
      'move checkpoint step-000006 to checkpoints/damaged/: g/weights.bin is 100 bytes, the manifest says 21188 (truncated or corrupt)',
      'move checkpoints/damaged/step-000004 back: all its files match their checksums now',
    ]);
    expect((await readdir(path.join(dir, 'checkpoints'))).sort()).toEqual(['damaged', 'step-000004']);
    expect((await readdir(ckpt(dir, 'damaged'))).sort()).toEqual(['.step-000008.tmp-4242-abcd1234', 'step-000006']);
    expect(await weightHashes(dir)).toEqual(weights);
    // The run resumes from the checkpoint brought back.
    expect((await planRun({ mode: 'resume', runDir: dir, changes: { steps: 6 } })).resumeFromStep).toBe(4);
  });

  it('rebuilds a lost config.json from the options its newest checkpoint recorded', async () => {
    const dir = await copyOf(DCGAN_28);
    const original = await readRunConfig(dir);
    await rm(path.join(dir, 'config.json'));
    const done = await repairRun(dir);
    expect(done.actions.map((a) => a.kind)).toEqual(['config']);
    expect(done.actions[0].description).toBe('rebuild config.json from the options recorded in checkpoint step-000004');
    const rebuilt = await readRunConfig(dir);
    const report = JSON.parse(await readFile(path.join(dir, 'import-report.json'), 'utf8'));
    expect(configHash(rebuilt)).toBe(configHash(original));
    expect(rebuilt).toMatchObject({ name: 'dcgan-28', steps: 4, backend: 'wasm', data: { dir: report.root } });
    await planRun({ mode: 'resume', runDir: dir, changes: { steps: 6 } });
  });

  it('keeps an unreadable config.json beside the rebuilt one', async () => {
    const dir = await copyOf(DCGAN_28);
    await writeFile(path.join(dir, 'config.json'), '{"name": "dcg');
    await repairRun(dir);
    expect(await readFile(path.join(dir, 'config.json.damaged'), 'utf8')).toBe('{"name": "dcg');
    expect((await readRunConfig(dir)).name).toBe('dcgan-28');
  });

  it('says what it cannot repair: a 0.1.0 checkpoint records no options to rebuild config.json from', async () => {
    const dir = await copyOf(V010_DCGAN_28);
    await rm(path.join(dir, 'config.json'));
    expect(await repairRun(dir)).toMatchObject({
      actions: [],
      unrepairable: [
        'config.json is missing or unreadable and checkpoint step-000004 (format 1) records no options to rebuild it from.',
      ],
    });
  });

  it('refuses a run a live process trains, and a folder that is no run', async () => {
    const dir = await copyOf(DCGAN_28);
    await writeFile(path.join(dir, 'train.lock'), lockOf(process.pid));
    await expect(planRepair(dir)).rejects.toThrow(RunLockedError);
    await expect(repairRun(dir)).rejects.toThrow(/is being trained by process \d+ on this machine/);
    await expect(repairRun(path.join(dir, 'samples'))).rejects.toThrow(/is not a run folder/);
    await expect(repairRun(path.join(dir, 'nothing'))).rejects.toThrow(/^Run folder not found: /);
  });
});
