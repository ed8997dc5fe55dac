/** DiffAugment: what each transform does, that real and fake batches get the same kinds, and that gradients pass. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  applyAugment,
  diffAugment,
  drawAugmentParams,
  type AugmentPolicy,
} from '../../../src/engine/augment/diffaugment';
import { parseConfig } from '../../../src/engine/config/resolve';
import { Rng } from '../../../src/engine/rng';
import { discriminatorStep } from '../../../src/engine/train/gan-step';
import { GanSession } from '../../../src/engine/train/session';
import { blobData, onBackend } from '../../helpers/tf';

beforeAll(() => onBackend('wasm'));

const N = 6;
const S = 16;
const C = 3;
const img = () =>
  tf.tensor4d(
    Array.from({ length: N * S * S * C }, (_, i) => Math.sin(i * 0.37) * 0.8),
    [N, S, S, C],
  );
const only = (k: keyof AugmentPolicy): AugmentPolicy => ({
  translation: false,
  cutout: false,
  color: false,
  [k]: true,
});

describe('DiffAugment transforms', () => {
  it('translation shifts each image by (dy, dx) within 1/8 of the side, filling with zeros', () => {
    const x = img();
    const p = drawAugmentParams(new Rng(1), N, S, S, only('translation'), 1);
    const y = applyAugment(x, p);
    const xs = x.arraySync();
    const ys = y.arraySync();
    for (let i = 0; i < N; i++) {
      expect(Math.abs(p.dy![i])).toBeLessThanOrEqual(2);
      expect(Math.abs(p.dx![i])).toBeLessThanOrEqual(2);
      for (let r = 0; r < S; r++)
        for (let q = 0; q < S; q++) {
          const sr = r - p.dy![i];
          const sq = q - p.dx![i];
          const want = sr >= 0 && sr < S && sq >= 0 && sq < S ? xs[i][sr][sq] : [0, 0, 0];
          for (let c = 0; c < C; c++) expect(ys[i][r][q][c]).toBeCloseTo(want[c], 5);
        }
    }
    expect(new Set(Array.from(p.dy!)).size).toBeGreaterThan(1);
    x.dispose();
    y.dispose();
  });

  it('cutout zeroes one square of half the side and keeps the rest', () => {
    const x = img();
    const p = drawAugmentParams(new Rng(2), N, S, S, only('cutout'), 1);
    const y = applyAugment(x, p);
    const xs = x.arraySync();
    const ys = y.arraySync();
    expect(p.cutSize).toBe(8);
    for (let i = 0; i < N; i++) {
      let zeroed = 0;
      for (let r = 0; r < S; r++)
        for (let q = 0; q < S; q++) {
          const inside = r >= p.cutY![i] && r < p.cutY![i] + 8 && q >= p.cutX![i] && q < p.cutX![i] + 8;
          if (inside) zeroed++;
          for (let c = 0; c < C; c++) expect(ys[i][r][q][c] + 0).toBe(inside ? 0 : xs[i][r][q][c]);
        }
      expect(zeroed).toBeGreaterThan(0);
    }
    x.dispose();
    y.dispose();
  });

  it('colour: brightness in ±0.5, saturation ×[0, 2] around the channel mean, contrast ×[0.5, 1.5] around the image mean', () => {
    const x = img();
    const p = drawAugmentParams(new Rng(3), N, S, S, only('color'), 1);
    for (let i = 0; i < N; i++) {
      expect(Math.abs(p.brightness![i])).toBeLessThanOrEqual(0.5);
      expect(p.saturation![i]).toBeGreaterThanOrEqual(0);
      expect(p.saturation![i]).toBeLessThanOrEqual(2);
      expect(p.contrast![i]).toBeGreaterThanOrEqual(0.5);
      expect(p.contrast![i]).toBeLessThanOrEqual(1.5);
    }
    const y = applyAugment(x, p);
    // Reference for image 0 computed by hand.
    const xs = x.arraySync()[0];
    const b = p.brightness![0];
    const s = p.saturation![0];
    const k = p.contrast![0];
    const step1 = xs.map((row) => row.map((px) => px.map((v) => v + b)));
    const step2 = step1.map((row) =>
      row.map((px) => {
        const m = (px[0] + px[1] + px[2]) / 3;
        return px.map((v) => (v - m) * s + m);
      }),
    );
    const m2 = step2.flat(2).reduce((acc, v) => acc + v, 0) / (S * S * C);
    const want = step2.map((row) => row.map((px) => px.map((v) => (v - m2) * k + m2)));
    const got = y.arraySync()[0];
    for (let r = 0; r < S; r++)
      for (let q = 0; q < S; q++) for (let c = 0; c < C; c++) expect(got[r][q][c]).toBeCloseTo(want[r][q][c], 4);
    x.dispose();
    y.dispose();
  });

  it('probability p: each image gets each kind with probability p (0: identity)', () => {
    const x = img();
    const y = diffAugment(x, { translation: true, cutout: true, color: true }, 0, new Rng(4));
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    const p = drawAugmentParams(new Rng(5), 4000, S, S, only('cutout'), 0.3);
    const share = p.cutOn!.reduce((s, v) => s + v, 0) / 4000;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    x.dispose();
    y.dispose();
  });

  it('passes gradients: ∂Σ(aug(x)·w)/∂x is w pulled back through the transform', () => {
    const x = img();
    const p = drawAugmentParams(new Rng(6), N, S, S, { translation: true, cutout: true, color: false }, 1);
    const w = tf.randomNormal([N, S, S, C]);
    const g = tf.grad((t: tf.Tensor) =>
      applyAugment(t as tf.Tensor4D, p)
        .mul(w)
        .sum(),
    )(x);
    // Linear map A: ⟨A x, w⟩ = ⟨x, Aᵀ w⟩; check with a second input by linearity: f(x) = ⟨x, g⟩.
    const f = tf.tidy(() => applyAugment(x, p).mul(w).sum().dataSync()[0]);
    const viaGrad = tf.tidy(() => x.mul(g).sum().dataSync()[0]);
    expect(viaGrad).toBeCloseTo(f, 3);
    expect(tf.tidy(() => g.abs().sum().dataSync()[0])).toBeGreaterThan(0);
    // Colour is affine too: its gradient exists and is finite.
    const gc = tf.grad((t: tf.Tensor) =>
      applyAugment(t as tf.Tensor4D, drawAugmentParams(new Rng(7), N, S, S, only('color'), 1))
        .square()
        .sum(),
    )(x);
    expect(Number.isFinite(tf.tidy(() => gc.sum().dataSync()[0]))).toBe(true);
    [x, w, g, gc].forEach((t) => t.dispose());
  });
});

describe('DiffAugment in training', () => {
  it('real and fake batches each go through the same kinds of transform before D, and G trains through them', async () => {
    const config = parseConfig({
      model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
      batchSize: 4,
      gridSize: 2,
      augment: { translation: true, cutout: true, color: false },
    });
    const s = GanSession.create(config, 8);
    const seen: { which: string; zeroCols: number }[] = [];
    const spy = (images: tf.Tensor4D, which: 'real' | 'fake') => {
      const y = applyAugment(
        images,
        drawAugmentParams(new Rng(which === 'real' ? 1 : 2), 4, 16, 16, config.augment, 1),
      );
      // cutout leaves exact zeros in both batches
      seen.push({ which, zeroCols: y.equal(0).any([1, 2, 3]).cast('int32').sum().dataSync()[0] });
      return y;
    };
    const real = tf.tensor4d(blobData(8, 16, 3).batch([0, 1, 2, 3]), [4, 16, 16, 3]);
    const z = tf.randomNormal([4, 8]) as tf.Tensor2D;
    const stats = discriminatorStep({ model: s.d, optimizer: s.optD }, s.g, real, z, { prepare: spy });
    expect(seen.map((x) => x.which)).toEqual(['real', 'fake']);
    for (const x of seen) expect(x.zeroCols).toBe(4);
    for (const t of [real, z, ...Object.values(stats)]) t?.dispose();
    // Through the session: a step with augmentation moves G (gradients pass through the augmentation).
    const before = s.g.getWeights()[1].dataSync().slice();
    await s.trainStep(blobData(8, 16, 3));
    expect(Array.from(s.g.getWeights()[1].dataSync())).not.toEqual(Array.from(before));
    s.dispose();
  });
});
