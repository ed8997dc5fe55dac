/**
 * The alternating scheme on the wasm backend, in the style of tfjs-examples'
 * gan_test.js: each step moves only its own network, nothing leaks, and a
 * short run on real images keeps finite losses.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { loadDemoDataset } from '../../src/engine/dataset';
import { Adam } from '../../src/engine/train/adam';
import { discriminatorStep, generatorStep, trainableVariables } from '../../src/engine/train/gan-step';
import { GanSession } from '../../src/engine/train/session';
import { blobData, onBackend, sameWeights, snapshot } from '../helpers/tf';
import { tempCacheDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

// dcgan-conv at 16×16 has BatchNorm in both G and D, so the frozen checks cover the moving statistics too.
const convConfig = parseConfig({
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 3,
});
const denseConfig = parseConfig({
  model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 3,
});

describe.each([
  ['dcgan-conv 16', convConfig],
  ['dcgan-dense 28', denseConfig],
])('GAN steps (%s)', (_name, config) => {
  const { resolution, channels, latentDim } = config.model;

  it('a D step changes D and leaves every weight of G as it was', () => {
    const s = GanSession.create(config, 8);
    const g0 = snapshot(s.g);
    const d0 = snapshot(s.d);
    const real = tf.tensor4d(blobData(8, resolution, channels).batch([0, 1, 2, 3]), [
      4,
      resolution,
      resolution,
      channels,
    ]);
    const z = tf.randomNormal([4, latentDim]) as tf.Tensor2D;
    const stats = discriminatorStep({ model: s.d, optimizer: s.optD }, s.g, real, z);
    expect(sameWeights(snapshot(s.g), g0)).toBe(true);
    expect(sameWeights(snapshot(s.d), d0)).toBe(false);
    for (const t of [real, z, ...Object.values(stats)]) t.dispose();
    s.dispose();
  });

  it('a G step changes G and leaves every weight of D (BatchNorm statistics included) as it was', () => {
    const s = GanSession.create(config, 8);
    const g0 = snapshot(s.g);
    const d0 = snapshot(s.d);
    const z = tf.randomNormal([4, latentDim]) as tf.Tensor2D;
    const stats = generatorStep({ model: s.g, optimizer: s.optG }, s.d, z, 'nonsaturating');
    expect(sameWeights(snapshot(s.d), d0)).toBe(true);
    expect(sameWeights(snapshot(s.g), g0)).toBe(false);
    for (const t of [z, ...Object.values(stats)]) t.dispose();
    s.dispose();
  });

  it('leaks no tensors across training steps', async () => {
    const s = GanSession.create(config, 8);
    const data = blobData(8, resolution, channels);
    await s.trainStep(data); // the first step may create lazily-built state
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) await s.trainStep(data);
    expect(tf.memory().numTensors).toBe(before);
    const sampleBefore = tf.memory().numTensors;
    await s.sampleFixed();
    expect(tf.memory().numTensors).toBe(sampleBefore);
    s.dispose();
  });
});

describe('GanSession', () => {
  it('records every stat, finite, and the EMA copy trails G', async () => {
    const s = GanSession.create(
      { ...convConfig, ema: { ...convConfig.ema, enabled: true, decay: 0.5, startStep: 0, warmup: false } },
      8,
    );
    const data = blobData(8, 16, 3);
    const stats = await s.trainStep(data);
    for (const key of ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG', 'imgPerSec'] as const) {
      expect(Number.isFinite(stats[key]), key).toBe(true);
    }
    expect(stats.step).toBe(1);
    expect(stats.dReal).toBeGreaterThan(0);
    expect(stats.dReal).toBeLessThan(1);
    expect(stats.gradNormD).toBeGreaterThan(0);
    expect(stats.gradNormG).toBeGreaterThan(0);
    expect(stats.lossD).toBeCloseTo(2 * Math.LN2, 0); // untrained D: both BCE terms near log 2
    expect(sameWeights(snapshot(s.gEma!), snapshot(s.g))).toBe(false);
    s.dispose();
  });

  it('dSteps D updates per G update', async () => {
    const s = GanSession.create({ ...convConfig, dSteps: 3 }, 8);
    await s.trainStep(blobData(8, 16, 3));
    expect(s.optD.step).toBe(3);
    expect(s.optG.step).toBe(1);
    expect(s.step).toBe(1);
    s.dispose();
  });

  it('minimax loss trains too, with G loss = −mean softplus(D(G(z)))', async () => {
    const s = GanSession.create({ ...convConfig, loss: 'minimax' }, 8);
    const stats = await s.trainStep(blobData(8, 16, 3));
    expect(stats.lossG).toBeLessThan(0);
    expect(Number.isFinite(stats.lossG)).toBe(true);
    s.dispose();
  });

  it('trains dcgan-28 on real Fashion-MNIST images with finite losses, and D learns', async () => {
    const dataset = await loadDemoDataset({
      resolution: 28,
      channels: 1,
      resize: 'crop',
      background: '#ffffff',
      minSize: 8,
      cacheDir: await tempCacheDir(),
    });
    const config = parseConfig({
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 32, baseWidth: 16 },
      batchSize: 32,
      gridSize: 2,
      seed: 1,
    });
    const s = GanSession.create(config, dataset.count);
    const all = [];
    for (let i = 0; i < 15; i++) all.push(await s.trainStep(dataset));
    for (const st of all)
      for (const v of [st.lossD, st.lossG, st.gradNormD, st.gradNormG]) expect(Number.isFinite(v)).toBe(true);
    // D quickly tells real clothes from noise-like fakes: its loss falls below log 4.
    expect(Math.min(...all.slice(-5).map((st) => st.lossD))).toBeLessThan(2 * Math.LN2);
    s.dispose();
  });
});

describe('Adam', () => {
  it('matches the PyTorch update on a hand-computed example', () => {
    const x = tf.variable(tf.tensor1d([1, -2]));
    const opt = new Adam([x], { lr: 0.1, beta1: 0.9, beta2: 0.99 });
    const g = tf.tensor1d([0.5, 4]);
    opt.apply([g]);
    opt.apply([g]);
    // Constant gradient: m̂ = g, v̂ = g², so each step moves by lr·g/(|g|+ε·√…) ≈ lr·sign(g).
    const m2 = [0.5, 4].map((gi) => (0.1 * gi + 0.9 * 0.1 * gi) / (1 - 0.9 ** 2));
    const v2 = [0.5, 4].map((gi) => (0.01 * gi * gi + 0.99 * 0.01 * gi * gi) / (1 - 0.99 ** 2));
    const step1 = [0.5, 4].map((gi) => (0.1 * gi) / Math.abs(gi));
    const expected = [1, -2].map((x0, i) => x0 - step1[i] - (0.1 * m2[i]) / (Math.sqrt(v2[i]) + 1e-8));
    const got = Array.from(x.dataSync());
    expect(got[0]).toBeCloseTo(expected[0], 5);
    expect(got[1]).toBeCloseTo(expected[1], 5);
    expect(opt.step).toBe(2);
    g.dispose();
    x.dispose();
    opt.dispose();
  });

  // Exact state restore of Adam (and RMSProp, SGD) is tested in techniques/maths.test.ts.

  it('rejects bad hyperparameters', () => {
    const x = tf.variable(tf.scalar(1));
    expect(() => new Adam([x], { lr: 0, beta1: 0.5, beta2: 0.9 })).toThrow(/lr/);
    expect(() => new Adam([x], { lr: 1e-3, beta1: 1, beta2: 0.9 })).toThrow(/beta1/);
    x.dispose();
  });
});

describe('trainableVariables', () => {
  it('lists only trainable weights (BatchNorm statistics are not trained)', () => {
    const s = GanSession.create(convConfig, 8);
    expect(trainableVariables(s.d).length).toBe(s.d.trainableWeights.length);
    expect(s.d.nonTrainableWeights.length).toBeGreaterThan(0);
    s.dispose();
  });
});
