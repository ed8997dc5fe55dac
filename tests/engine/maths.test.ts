/** The small pieces of maths: losses on known logits, the EMA rule, the RNG. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, deriveSeed } from '../../src/engine/rng';
import { copyWeights, emaDecayAt, updateEma } from '../../src/engine/train/ema';
import { discriminatorLoss, generatorLoss } from '../../src/engine/train/losses';
import { BatchSampler } from '../../src/engine/train/sampler';
import { onBackend } from '../helpers/tf';

beforeAll(() => onBackend('wasm'));

const softplus = (x: number) => Math.log1p(Math.exp(x));

describe('losses', () => {
  it('D loss is −log σ(real) − log(1 − σ(fake)), averaged', () => {
    const real = [2, -1, 0.5];
    const fake = [-3, 1];
    const expected =
      real.reduce((s, x) => s - Math.log(1 / (1 + Math.exp(-x))), 0) / 3 +
      fake.reduce((s, x) => s - Math.log(1 - 1 / (1 + Math.exp(-x))), 0) / 2;
    const got = tf.tidy(() => discriminatorLoss(tf.tensor1d(real), tf.tensor1d(fake)).dataSync()[0]);
    expect(got).toBeCloseTo(expected, 5);
  });

  it('G losses: non-saturating −log σ(x), minimax log(1 − σ(x))', () => {
    const fake = [-4, 0, 3];
    const ns = tf.tidy(() => generatorLoss(tf.tensor1d(fake), 'nonsaturating').dataSync()[0]);
    const mm = tf.tidy(() => generatorLoss(tf.tensor1d(fake), 'minimax').dataSync()[0]);
    expect(ns).toBeCloseTo(fake.reduce((s, x) => s + softplus(-x), 0) / 3, 5);
    expect(mm).toBeCloseTo(fake.reduce((s, x) => s + Math.log(1 - 1 / (1 + Math.exp(-x))), 0) / 3, 5);
  });

  it('stays finite on huge logits, where log(sigmoid) would give −∞', () => {
    const v = tf.tidy(() => discriminatorLoss(tf.tensor1d([-200]), tf.tensor1d([200])).dataSync()[0]);
    expect(v).toBeCloseTo(400, 3);
  });

  it('the non-saturating G gradient stays strong where the minimax one vanishes', () => {
    const grad = (loss: 'nonsaturating' | 'minimax') =>
      tf.tidy(
        () =>
          tf
            .grad((x: tf.Tensor) => generatorLoss(x, loss))(tf.tensor1d([-8]))
            .dataSync()[0],
      );
    expect(Math.abs(grad('nonsaturating'))).toBeGreaterThan(0.99);
    expect(Math.abs(grad('minimax'))).toBeLessThan(1e-3);
  });
});

describe('EMA', () => {
  const model = (init: number) => {
    const m = tf.sequential();
    m.add(
      tf.layers.dense({
        inputShape: [2],
        units: 1,
        kernelInitializer: tf.initializers.constant({ value: init }),
        biasInitializer: 'zeros',
      }),
    );
    m.add(tf.layers.batchNormalization({ movingMeanInitializer: tf.initializers.constant({ value: init }) }));
    return m;
  };

  it('θ_ema ← θ + decay·(θ_ema − θ) for trained weights; statistics are copied', () => {
    const ema = model(1);
    const g = model(3);
    updateEma(ema, g, 0.9);
    expect(ema.layers[0].getWeights()[0].dataSync()[0]).toBeCloseTo(3 + 0.9 * (1 - 3), 6);
    const movingMean = ema.layers[1].getWeights()[2].dataSync()[0];
    expect(movingMean).toBe(3);
    updateEma(ema, g, 0.9);
    expect(ema.layers[0].getWeights()[0].dataSync()[0]).toBeCloseTo(3 + 0.9 * 0.9 * (1 - 3), 6);
    copyWeights(ema, model(5));
    expect(ema.layers[0].getWeights()[0].dataSync()[0]).toBe(5);
    expect(() => updateEma(ema, g, 1.5)).toThrow(/decay/);
  });
});

describe('EMA warm-up', () => {
  it('starts near 0.1, follows (1+t)/(10+t), and caps at the configured decay', () => {
    expect(emaDecayAt(0.999, 1, true)).toBeCloseTo(2 / 11, 12);
    expect(emaDecayAt(0.999, 90, true)).toBeCloseTo(91 / 100, 12);
    expect(emaDecayAt(0.999, 100_000, true)).toBe(0.999);
    expect(emaDecayAt(0.999, 1, false)).toBe(0.999);
    for (let t = 1; t < 50; t++) expect(emaDecayAt(0.999, t + 1, true)).toBeGreaterThan(emaDecayAt(0.999, t, true));
  });
});

describe('Rng', () => {
  it('is deterministic and resumes from its state', () => {
    const a = new Rng(42);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    const b = new Rng(42);
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    const state = a.state;
    const next = a.normal(new Float32Array(7));
    expect(Array.from(new Rng(state).normal(new Float32Array(7)))).toEqual(Array.from(next));
    expect(new Rng(43).nextUint32()).not.toBe(new Rng(42).nextUint32());
  });

  it('draws N(0, 1) and uniform [0, 1)', () => {
    const xs = new Rng(7).normal(new Float32Array(50_000));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    const r = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const u = r.uniform();
      expect(u >= 0 && u < 1).toBe(true);
    }
  });

  it('derives distinct streams from one seed', () => {
    expect(deriveSeed(1, 'noise')).not.toBe(deriveSeed(1, 'data'));
    expect(deriveSeed(1, 'noise')).toBe(deriveSeed(1, 'noise'));
    expect(deriveSeed(1, 'noise')).not.toBe(deriveSeed(2, 'noise'));
  });
});

describe('BatchSampler', () => {
  it('visits every image once per epoch, reshuffles, and resumes from its cursor', () => {
    const s = new BatchSampler(10, 5);
    const epoch0 = [...s.next(4), ...s.next(4), ...s.next(2)];
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const state = s.state;
    const later = Array.from(s.next(15));
    expect(Array.from(new BatchSampler(10, 5, state).next(15))).toEqual(later);
    expect(later.slice(0, 10)).not.toEqual(epoch0); // a new order in the next epoch
  });
});
