/**
 * G-EMA's batch-norm statistics recomputed for its own weights (ema.bnStats):
 * the maths against an independent computation, what must not move, the
 * session and checkpoint wiring, and leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/engine/config/resolve';
import { batchNormLayersOf, spectralNormLayersOf } from '../../../src/engine/layers';
import { modelSpecOf } from '../../../src/engine/config/techniques';
import { buildGenerator } from '../../../src/engine/models';
import { latentsFor } from '../../../src/engine/models/inputs';
import { deriveSeed } from '../../../src/engine/rng';
import { loadCheckpoint, saveCheckpoint } from '../../../src/engine/run/checkpoint';
import { BN_STATS_SAMPLES, recomputeBatchNormStats } from '../../../src/engine/train/bn-stats';
import { GanSession } from '../../../src/engine/train/session';
import { blobData, onBackend, sameWeights, snapshot } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';

beforeAll(() => onBackend('wasm'));

const config = parseConfig({
  model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 5,
  ema: { enabled: true, startStep: 0 },
});
const statsOf = (model: tf.LayersModel) =>
  batchNormLayersOf(model).map((l) => [l.movingMean.read().arraySync(), l.movingVariance.read().arraySync()]);

describe('recomputeBatchNormStats', () => {
  it("sets G's first batch norm to the mean of its batch statistics over the fixed latents", () => {
    const g = buildGenerator(modelSpecOf(config), 11);
    const [first] = batchNormLayersOf(g);
    expect(first).toBeDefined();
    expect(recomputeBatchNormStats(g, config)).toBe(true);
    // Nothing before the first batch norm depends on the mode, so its input can be computed in inference mode.
    const input = tf.model({
      inputs: g.inputs,
      outputs: (first as unknown as tf.layers.Layer).input as tf.SymbolicTensor,
    });
    const z = latentsFor(deriveSeed(config.seed, 'ema/bn-stats/latents'), BN_STATS_SAMPLES, 8, config.model.latentDist);
    const x = tf.tidy(() => input.predict(tf.tensor2d(z, [BN_STATS_SAMPLES, 8])) as tf.Tensor);
    const features = x.shape.slice(1).reduce((a, b) => a * (b as number), 1);
    const flat = x.dataSync();
    const units = first.movingMean.read().size;
    const perUnit = features / units;
    const mean = new Float64Array(units);
    const variance = new Float64Array(units);
    for (let b = 0; b < BN_STATS_SAMPLES / 64; b++) {
      for (let u = 0; u < units; u++) {
        let s = 0;
        let s2 = 0;
        for (let n = b * 64; n < (b + 1) * 64; n++)
          for (let p = 0; p < perUnit; p++) {
            const v = flat[n * features + p * units + u];
            s += v;
            s2 += v * v;
          }
        const count = 64 * perUnit;
        mean[u] += s / count;
        variance[u] += s2 / count - (s / count) ** 2;
      }
    }
    const got = first.movingMean.read().dataSync();
    const gotVar = first.movingVariance.read().dataSync();
    const batches = BN_STATS_SAMPLES / 64;
    for (let u = 0; u < units; u++) {
      expect(got[u]).toBeCloseTo(mean[u] / batches, 4);
      expect(gotVar[u] / (variance[u] / batches)).toBeCloseTo(1, 3);
    }
    x.dispose();
    g.dispose();
  });

  it('is deterministic, leaves trainable weights and spectral norm alone, and leaks nothing', () => {
    const sn = parseConfig({ ...config, g: { spectralNorm: true } });
    const g = buildGenerator(modelSpecOf(sn), 12);
    expect(spectralNormLayersOf(g).length).toBeGreaterThan(0);
    const trainable = () => snapshot({ weights: g.weights.filter((w) => w.trainable) } as tf.LayersModel);
    const statVars = new Set(batchNormLayersOf(g).flatMap((l) => [l.movingMean, l.movingVariance]));
    const others = () =>
      snapshot({ weights: g.weights.filter((w) => !w.trainable && !statVars.has(w)) } as tf.LayersModel);
    const before = { trainable: trainable(), others: others(), stats: statsOf(g) };
    const tensors = tf.memory().numTensors;
    recomputeBatchNormStats(g, sn);
    expect(tf.memory().numTensors).toBe(tensors);
    const once = statsOf(g);
    expect(once).not.toEqual(before.stats);
    recomputeBatchNormStats(g, sn);
    expect(statsOf(g)).toEqual(once);
    expect(sameWeights(trainable(), before.trainable)).toBe(true);
    expect(sameWeights(others(), before.others)).toBe(true);
    g.dispose();
  });

  it('does nothing to a G without batch norm', () => {
    const plain = parseConfig({ ...config, g: { norm: 'none' } });
    const g = buildGenerator(modelSpecOf(plain), 13);
    const before = snapshot(g);
    expect(recomputeBatchNormStats(g, plain)).toBe(false);
    expect(sameWeights(snapshot(g), before)).toBe(true);
    g.dispose();
  });
});

describe('the session and its checkpoints', () => {
  const trained = async (bnStats: 'recompute' | 'copy') => {
    const s = GanSession.create(parseConfig({ ...config, ema: { ...config.ema, bnStats } }), 8);
    const data = blobData(8, 28, 1);
    for (let i = 0; i < 3; i++) await s.trainStep(data);
    return s;
  };

  it("recompute: samples and checkpoints use G-EMA's own statistics; copy: G's", async () => {
    const root = await tempDir('gan-bn-stats-');
    const rec = await trained('recompute');
    const gStats = statsOf(rec.g);
    const sampler = rec.sampleGenerator;
    expect(sampler).toBe(rec.gEma);
    const recomputed = statsOf(sampler);
    expect(recomputed).not.toEqual(gStats);
    const dir = await saveCheckpoint(root, rec, { datasetKey: null, backend: 'wasm' });
    const loaded = await loadCheckpoint(dir, rec.config);
    expect(statsOf(loaded.gEma!)).toEqual(recomputed);
    // Training on copies G's statistics in again; the next use recomputes them for the new weights.
    await rec.trainStep(blobData(8, 28, 1));
    expect(statsOf(rec.gEma!)).toEqual(statsOf(rec.g));
    expect(statsOf(rec.sampleGenerator)).not.toEqual(recomputed);
    for (const m of [loaded.g, loaded.d, loaded.gEma]) m?.dispose();
    rec.dispose();

    const copy = await trained('copy');
    expect(statsOf(copy.sampleGenerator)).toEqual(statsOf(copy.g));
    copy.dispose();
  });
});
