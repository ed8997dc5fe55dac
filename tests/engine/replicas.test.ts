/**
 * Data-parallel replicas (`replicas: N`): real worker threads, each with its own
 * single-threaded wasm engine, exchanging gradients through SharedArrayBuffer.
 * - deterministic for a seed and N (two runs bit for bit), and exact resume with N;
 * - without BatchNorm, N = 2 trains what N = 1 trains, up to the order of float sums;
 * - with BatchNorm, each replica normalises over its own B/N images (ghost batches,
 *   as documented in docs/perf-notes.md): still deterministic, but not N = 1's maths;
 * - no tensor leaks in any replica; a failing replica fails the step with one line.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { loadCheckpoint } from '../../src/engine/run/checkpoint';
import { readStats } from '../../src/engine/run/stats-log';
import { ReplicaFailed } from '../../src/engine/train/replica-exchange';
import { REPLICA_FAULT_ENV, ReplicaPool } from '../../src/engine/train/replicas';
import { resumeRun, trainNewRun } from '../../src/engine/train/run-training';
import { GanSession } from '../../src/engine/train/session';
import type { TrainConfig } from '../../src/shared/config';
import { expectSameCheckpoint } from '../helpers/checkpoint';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));
afterEach(() => {
  delete process.env[REPLICA_FAULT_ENV];
});

const tiny = {
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 5,
  sampleEvery: 0,
  checkpointEvery: 0,
  keepCheckpoints: 5,
  metrics: { enabled: false },
};
/** Most of what a step can do at once: EMA, DiffAugment with ADA, random label smoothing and flips, R1 (lazy), spectral norm, instance noise, class labels. */
const rich = parseConfig({
  ...tiny,
  name: 'rich',
  steps: 4,
  ema: { enabled: true, decay: 0.9, startStep: 1 },
  augment: { translation: true, cutout: true, color: true, ada: true, probability: 0.5 },
  labels: { smoothing: 'random', flip: 0.1 },
  conditional: { enabled: true, numClasses: 2 },
  penalty: { type: 'r1', weight: 1, every: 2 },
  d: { spectralNorm: true },
  instanceNoise: { sigma: 0.1 },
});
/** No BatchNorm anywhere, and WGAN-GP (gradients of gradients, per-sample interpolation). */
const bnFree = parseConfig({
  ...tiny,
  name: 'bnfree',
  steps: 3,
  loss: 'wgan-gp',
  g: { norm: 'none' },
  d: { norm: 'none' },
  ema: { enabled: true, decay: 0.9, startStep: 1 },
});
// Two classes, so the conditional config has labels (G's are drawn from the tricks stream).
const data = { ...blobData(6, 16, 3), labels: [0, 1, 0, 1, 1, 0], classNames: ['a', 'b'] };

async function train(config: TrainConfig, out: string): Promise<string> {
  return trainNewRun(out, { config, data, datasetKey: 'k', backend: 'wasm' });
}

async function weightsOf(runDir: string, step: number, config: TrainConfig): Promise<Float32Array[]> {
  const dir = path.join(runDir, 'checkpoints', `step-${String(step).padStart(6, '0')}`);
  const parts = await loadCheckpoint(dir, config);
  try {
    return [...parts.g.weights, ...parts.d.weights].map((w) => w.read().dataSync() as Float32Array);
  } finally {
    for (const m of [parts.g, parts.d, parts.gEma]) m?.dispose();
    for (const t of Object.values(parts.optimizer ?? {}).flatMap((o) => Object.values(o.tensors))) t.dispose();
  }
}

describe('replicas', () => {
  it('are deterministic for a seed and N, and a run resumed with N matches one trained straight through', async () => {
    const out = await tempDir();
    const two = { ...rich, replicas: 2, checkpointEvery: 2 };
    const straight = await train(two, path.join(out, 'a'));
    const again = await train(two, path.join(out, 'b'));
    await expectSameCheckpoint(again, straight, 4, ['optimizer-g.bin', 'optimizer-d.bin']);
    const split = await train({ ...two, steps: 2 }, path.join(out, 'c'));
    await resumeRun(split, { config: two, data, datasetKey: 'k', backend: 'wasm' });
    await expectSameCheckpoint(split, straight, 4, ['optimizer-g.bin', 'optimizer-d.bin']);
    const strip = ({ imgPerSec: _i, time: _t, ...rest }: Awaited<ReturnType<typeof readStats>>[number]) => rest;
    const a = await readStats(path.join(straight, 'stats.jsonl'));
    const c = await readStats(path.join(split, 'stats.jsonl'));
    expect(c.map(strip)).toEqual(a.map(strip));
  });

  it('without BatchNorm, N = 2 trains what N = 1 trains, within float-sum order (|Δw| < 1e-7, losses within 1e-4)', async () => {
    const out = await tempDir();
    const one = await train({ ...bnFree, checkpointEvery: 3 }, path.join(out, 'one'));
    const two = await train({ ...bnFree, checkpointEvery: 3, replicas: 2 }, path.join(out, 'two'));
    const a = await weightsOf(one, 3, bnFree);
    const b = await weightsOf(two, 3, { ...bnFree, replicas: 2 });
    const initial = GanSession.initialModels(bnFree);
    const start = [...initial.g.weights, ...initial.d.weights].map((w) => w.read().dataSync() as Float32Array);
    for (const m of [initial.g, initial.d, initial.gEma]) m?.dispose();
    let maxDiff = 0;
    let maxMove = 0;
    a.forEach((w, i) =>
      w.forEach((v, j) => {
        maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j]));
        maxMove = Math.max(maxMove, Math.abs(v - start[i][j]));
      }),
    );
    // Training moved the weights by far more than the two runs differ.
    expect(maxMove).toBeGreaterThan(1e-4);
    expect(maxDiff).toBeLessThan(1e-7);
    const sa = await readStats(path.join(one, 'stats.jsonl'));
    const sb = await readStats(path.join(two, 'stats.jsonl'));
    for (const [x, y] of sa.map((s, i) => [s, sb[i]] as const)) {
      expect(Math.abs(x.lossD - y.lossD)).toBeLessThan(1e-4 * Math.max(1, Math.abs(x.lossD)));
      expect(Math.abs(x.lossG - y.lossG)).toBeLessThan(1e-4 * Math.max(1, Math.abs(x.lossG)));
    }
  });

  it('with BatchNorm each replica normalises over its own B/N images: not N = 1 bit for bit, but close', async () => {
    const bn = parseConfig({ ...tiny, name: 'bn', steps: 1, checkpointEvery: 1 });
    const out = await tempDir();
    const sa = await readStats(path.join(await train(bn, path.join(out, 'one')), 'stats.jsonl'));
    const sb = await readStats(path.join(await train({ ...bn, replicas: 2 }, path.join(out, 'two')), 'stats.jsonl'));
    expect(sb[0].lossD).not.toBe(sa[0].lossD);
    expect(Math.abs(sb[0].lossD - sa[0].lossD)).toBeLessThan(0.2);
  });

  it('leak no tensors in any replica over steps', async () => {
    const config = { ...rich, replicas: 2 };
    const session = GanSession.create(config, data.count);
    const pool = await ReplicaPool.start(session, 2, data);
    try {
      const main: number[] = [];
      const workers: number[][] = [];
      for (let i = 0; i < 4; i++) {
        await session.trainStep(data);
        main.push(tf.memory().numTensors);
        workers.push(pool.workerTensorCounts());
      }
      // Step 1 makes the optimizer's slots; from then on nothing grows.
      expect(main.slice(1)).toEqual([main[1], main[1], main[1]]);
      expect(workers[1][0]).toBeGreaterThan(0);
      expect(workers.slice(1)).toEqual([workers[1], workers[1], workers[1]]);
    } finally {
      await pool.stop();
      session.dispose();
    }
  });

  it('a failing replica fails the step with one line naming it and why', async () => {
    process.env[REPLICA_FAULT_ENV] = 'step:2';
    const session = GanSession.create({ ...rich, replicas: 2 }, data.count);
    const pool = await ReplicaPool.start(session, 2, data);
    try {
      await session.trainStep(data);
      const err = await session.trainStep(data).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ReplicaFailed);
      expect((err as Error).message).toBe(
        `training replica 2 of 2 failed (fault injected at step 2 (${REPLICA_FAULT_ENV})); the step was stopped and nothing of it was saved. Resume from the last checkpoint, or train with --replicas 1.`,
      );
    } finally {
      await pool.stop();
      session.dispose();
    }
  });
});
