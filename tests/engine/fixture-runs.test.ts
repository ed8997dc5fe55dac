/**
 * Runs saved by older versions must keep working: every fixture under
 * tests/fixtures/ (a dcgan-28 run and a many-technique run of run format 2,
 * and a dcgan-28 run made by GAN Studio 0.1.0 itself: run and checkpoint
 * format 1) resumes for more steps, in a temp copy, generates what its
 * generator drew at fixture time, and exports for the web. The fixtures
 * themselves are never written (their files' hashes are checked).
 *
 * Tolerance of the images: the raw float output must match the recorded one
 * within 0.1% of its largest value, and the 8-bit pixels within 1 level.
 * Measured: on wasm the output is bit-identical to the record; on cpu it
 * differs by at most 4.4e-7 of the output scale (float summation order), so
 * 0.1% fails only when the weights or the maths really changed. The dcgan-28
 * generators draw nearly flat images after 4 steps (|output| < 0.002), which
 * is why the floats are the sharp test and the PNGs the user-visible one.
 */
import { createHash } from 'node:crypto';
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportForWeb } from '../../src/engine/export-web';
import { generateSeeds, loadGenerator } from '../../src/engine/generate';
import { loadLayersModel } from '../../src/engine/io/layers-model-fs';
import { readCheckpointState } from '../../src/engine/run/checkpoint-state';
import { readRun } from '../../src/engine/run/config-file';
import { RUN_FILE } from '../../src/engine/run/run-format';
import { startRun, type RunEvent } from '../../src/engine/run/start';
import { GAN_STUDIO_VERSION } from '../../src/engine/version';
import { listRuns } from '../../src/studio/runs';
import {
  EXPECTED_SEEDS,
  FIXTURE_DATA,
  FIXTURE_RUNS,
  FIXTURES_DIR,
  REPO_ROOT,
  expectedFloats,
  expectedPng,
  fixturePath,
  generatorFloats,
  type FixtureRun,
} from '../helpers/fixture-runs';
import { onBackend } from '../helpers/tf';
import { tempCacheDir, tempDir } from '../helpers/temp';

const hashes = new Map<string, string>();

async function treeHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) =>
    path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)),
  )) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    h.update(path.relative(dir, file)).update(await readFile(file));
  }
  return h.digest('hex');
}

let savedCache: string | undefined;
beforeAll(async () => {
  await onBackend('wasm');
  savedCache = process.env.GAN_STUDIO_CACHE;
  process.env.GAN_STUDIO_CACHE = await tempCacheDir();
  // The data folder is named relative to the repo root.
  process.chdir(REPO_ROOT);
  for (const run of FIXTURE_RUNS) hashes.set(run.folder, await treeHash(fixturePath(run)));
});

afterAll(async () => {
  if (savedCache === undefined) delete process.env.GAN_STUDIO_CACHE;
  else process.env.GAN_STUDIO_CACHE = savedCache;
  // Nothing above may have written into a fixture.
  for (const run of FIXTURE_RUNS) expect(await treeHash(fixturePath(run)), run.folder).toBe(hashes.get(run.folder));
});

const relMax = (expected: Float32Array, actual: Float32Array) => {
  let scale = 0;
  let diff = 0;
  expected.forEach((v, i) => {
    scale = Math.max(scale, Math.abs(v));
    diff = Math.max(diff, Math.abs(v - actual[i]));
  });
  return { scale, diff };
};

async function recordedFloats(run: FixtureRun): Promise<Float32Array> {
  const bytes = await readFile(expectedFloats(run));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe.each(FIXTURE_RUNS)('fixture $folder ($madeBy)', (run) => {
  it('is read in its format, migrated in memory', async () => {
    const read = await readRun(fixturePath(run));
    expect(read.foundFormat).toBe(run.runFormat);
    expect(read.config.data.dir).toBe(FIXTURE_DATA);
    const state = await readCheckpointState(path.join(fixturePath(run), 'checkpoints', 'step-000004'));
    expect(state.format).toBe(run.checkpointFormat);
  });

  it('generates the images it drew at fixture time', async () => {
    const gen = await loadGenerator(fixturePath(run));
    try {
      expect(gen.state.step).toBe(4);
      const expected = await recordedFloats(run);
      const actual = generatorFloats(gen, EXPECTED_SEEDS);
      expect(actual.length).toBe(expected.length);
      const { scale, diff } = relMax(expected, actual);
      expect(scale).toBeGreaterThan(0);
      expect(diff, `max difference ${diff} at output scale ${scale}`).toBeLessThanOrEqual(1e-3 * scale);
      // The 8-bit images a user saves, against the PNGs saved at fixture time.
      const images = await generateSeeds(gen, EXPECTED_SEEDS);
      const size = images.width * images.height * images.channels;
      for (const [i, seed] of EXPECTED_SEEDS.entries()) {
        const file = expectedPng(run).replace(/\.png$/, `-seed${seed}.png`);
        const png = await sharp(file).raw().toBuffer({ resolveWithObject: true });
        expect([png.info.width, png.info.height]).toEqual([images.width, images.height]);
        const mine = images.bytes.subarray(i * size, (i + 1) * size);
        // PNGs of one channel may be stored as RGB: compare the first channel of each pixel.
        const step = png.info.channels / images.channels;
        let worst = 0;
        for (let p = 0; p < size; p++) worst = Math.max(worst, Math.abs(mine[p] - png.data[p * step]));
        expect(worst, `seed ${seed}`).toBeLessThanOrEqual(1);
      }
    } finally {
      gen.model.dispose();
    }
  });

  it('exports for the web: the exported model draws the same images', async () => {
    const gen = await loadGenerator(fixturePath(run));
    const out = await tempDir('gan-fixture-export-');
    try {
      const info = await exportForWeb(gen, out);
      expect(info).toMatchObject({ step: 4, latentDim: 8, numClasses: gen.numClasses, ema: true });
      const exported = await loadLayersModel(out);
      try {
        const again = generatorFloats({ ...gen, model: exported }, EXPECTED_SEEDS);
        expect(relMax(generatorFloats(gen, EXPECTED_SEEDS), again).diff).toBe(0);
      } finally {
        exported.dispose();
      }
    } finally {
      gen.model.dispose();
    }
  });

  it('resumes for two more steps in a copy', async () => {
    const copy = path.join(await tempDir('gan-fixture-resume-'), path.basename(run.folder));
    await cp(fixturePath(run), copy, { recursive: true });
    // The images are named by the same relative path; a format-2 checkpoint also resumes from a moved folder (same content key).
    // threads=1: the wasm backend of this process runs with 1 (0.1.0's runs say nothing, which means all cores).
    const changes: Record<string, unknown> = { steps: 6, threads: 1 };
    if (run.checkpointFormat >= 2) changes['data.dir'] = path.join(REPO_ROOT, FIXTURE_DATA);
    const events: RunEvent[] = [];
    // No tensor outlives the run (this caught the optimizers' slots leaking a tensor each).
    const before = tf.memory().numTensors;
    const result = await startRun({ mode: 'resume', runDir: copy, changes }, { onEvent: (e) => events.push(e) });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ status: 'finished', step: 6 });
    expect(events.find((e) => e.type === 'start')).toMatchObject({ resumedFromStep: 4 });
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    // A format-1 checkpoint has no content key of its images, only the import's cache key (which covers file
    // times and library versions), so a copied data folder reads as changed: a warning, and training goes on.
    const allowed = run.checkpointFormat >= 2 ? [] : [/^The dataset changed since this run started/];
    for (const w of warnings)
      expect(
        allowed.some((a) => a.test(w)),
        w,
      ).toBe(true);
    const state = await readCheckpointState(path.join(copy, 'checkpoints', 'step-000006'));
    expect(state.format).toBe(2);
    expect(state.step).toBe(6);
    // Resumed, the folder is in the current format; who made it is kept (unknown before run.json).
    const made = run.runFormat === 1 ? null : JSON.parse(await readFile(path.join(fixturePath(run), RUN_FILE), 'utf8'));
    expect(JSON.parse(await readFile(path.join(copy, RUN_FILE), 'utf8'))).toEqual({
      format: 2,
      createdBy: made?.createdBy ?? null,
      createdAt: made?.createdAt ?? null,
      resumedBy: GAN_STUDIO_VERSION,
    });
  });
});

it('the studio lists every fixture as a sound, resumable run', async () => {
  for (const format of ['format-1', 'format-2']) {
    const runs = await listRuns(path.join(FIXTURES_DIR, format), { liveRunId: null, ownPids: new Set() });
    expect(runs.length).toBe(FIXTURE_RUNS.filter((r) => r.folder.startsWith(`${format}/`)).length);
    for (const r of runs)
      expect(r, r.id).toMatchObject({ problem: null, status: 'finished', step: 4, resumable: true });
  }
});
