/** The maths of the weight-free metrics: SWD, KID, random-net features, pyramids, on real Fashion-MNIST images. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareSets } from '../../../src/engine/metrics/compare';
import { featureNet, imageFeatures } from '../../../src/engine/metrics/features';
import { subset, type ImageSet } from '../../../src/engine/metrics/image-set';
import { biasedMmd, kernelInceptionDistance, meanPairwiseDistance } from '../../../src/engine/metrics/kid';
import { laplacianPyramid, pyramidSizes } from '../../../src/engine/metrics/pyramid';
import { radixSortFloat32 } from '../../../src/engine/metrics/radix-sort';
import { multiScaleSwd } from '../../../src/engine/metrics/swd';
import { Rng } from '../../../src/engine/rng';
import { demoImageSet28 } from '../../helpers/demo';
import { onBackend } from '../../helpers/tf';

let all: ImageSet;
/** Interleaved picks: the demo set is stored class by class. */
const pick = (count: number, offset: number, stride = 7) =>
  subset(
    all,
    Array.from({ length: count }, (_, i) => (i * stride + offset) % all.count),
  );

beforeAll(async () => {
  await onBackend('wasm');
  all = await demoImageSet28();
});

function withNoise(set: ImageSet, sigma: number, seed: number): ImageSet {
  const noise = new Rng(seed).normal(new Float32Array(set.bytes.length));
  const bytes = new Uint8Array(set.bytes.length);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Math.max(0, Math.min(255, Math.round(set.bytes[i] + sigma * 127.5 * noise[i])));
  return { ...set, bytes };
}

describe('sliced Wasserstein distance', () => {
  const fast = { patchesPerImage: 32 };

  it('of a set against itself is 0 (same patch positions), well below the distance to a slightly noisy copy', async () => {
    const x = pick(48, 0);
    const self = await multiScaleSwd(x, x, fast);
    const noisy = await multiScaleSwd(x, withNoise(x, 0.1, 1), fast);
    expect(self.sizes).toEqual([28, 14, 7]);
    expect(self.levels).toHaveLength(3);
    expect(self.swd).toBeLessThan(1e-9);
    expect(noisy.swd).toBeGreaterThan(1);
  });

  it('grows with the noise added, and two halves of one data set are closer than data and noise', async () => {
    const x = pick(48, 0);
    const values: number[] = [];
    for (const s of [0.05, 0.2, 0.6]) values.push((await multiScaleSwd(x, withNoise(x, s, 2), fast)).swd);
    expect(values[1]).toBeGreaterThan(values[0]);
    expect(values[2]).toBeGreaterThan(values[1]);
    const other = (await multiScaleSwd(x, pick(48, 3), fast)).swd;
    expect(other).toBeLessThan(values[2]);
  });

  it('is the same for the same seed and compares sets of different sizes', async () => {
    const a = await multiScaleSwd(pick(30, 0), pick(45, 1), fast);
    const b = await multiScaleSwd(pick(30, 0), pick(45, 1), fast);
    expect(a).toEqual(b);
    expect(Number.isFinite(a.swd)).toBe(true);
  });

  it('pyramid levels follow the PGGAN recipe: down to 16 px, or 7 px below 64', () => {
    expect(pyramidSizes(64)).toEqual([64, 32, 16]);
    expect(pyramidSizes(256)).toEqual([256, 128, 64, 32, 16]);
    expect(pyramidSizes(28)).toEqual([28, 14, 7]);
    expect(pyramidSizes(32)).toEqual([32, 16, 8]);
    // A flat image has no detail: every Laplacian level is 0, and the coarsest keeps the value.
    const flat = laplacianPyramid({ count: 1, size: 16, channels: 3, data: new Float32Array(16 * 16 * 3).fill(0.25) });
    for (const level of flat.slice(0, -1)) expect(Math.max(...level.data.map(Math.abs))).toBeLessThan(1e-6);
    expect(Math.abs(flat[flat.length - 1].data[0] - 0.25)).toBeLessThan(1e-6);
  });

  it('radix sort orders floats as TypedArray.sort does (negatives, zeros, tiny and huge values)', () => {
    const rng = new Rng(3);
    const v = rng
      .normal(new Float32Array(5000))
      .map((x, i) => (i % 97 === 0 ? 0 : i % 89 === 0 ? -0 : x * 10 ** ((i % 13) - 6)));
    const got = radixSortFloat32(v);
    const want = v.slice().sort();
    expect(got.every((x, i) => Object.is(x, want[i]))).toBe(true);
  });
});

describe('KID', () => {
  const gaussian = (rng: Rng, n: number, dim: number, shift = 0) =>
    rng.normal(new Float32Array(n * dim)).map((x) => x + shift);

  it('is unbiased: averaged over many pairs of samples of one distribution it is 0, where the biased MMD is not', async () => {
    const rng = new Rng(11);
    const dim = 8;
    const kids: number[] = [];
    const biased: number[] = [];
    for (let t = 0; t < 40; t++) {
      const x = gaussian(rng, 16, dim);
      const y = gaussian(rng, 16, dim);
      kids.push(await kernelInceptionDistance(x, y, dim));
      biased.push(await biasedMmd(x, y, dim));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(mean(kids.map((k) => (k - mean(kids)) ** 2)));
    const stderr = sd / Math.sqrt(kids.length);
    expect(Math.abs(mean(kids))).toBeLessThan(3 * stderr);
    expect(mean(biased)).toBeGreaterThan(mean(kids) + 5 * stderr);
    // Some single estimates fall below 0: the price of having no bias.
    expect(kids.some((k) => k < 0)).toBe(true);
  });

  it('is clearly positive between different distributions and grows with their distance', async () => {
    const rng = new Rng(12);
    const dim = 8;
    const x = gaussian(rng, 64, dim);
    const near = await kernelInceptionDistance(x, gaussian(rng, 64, dim, 0.3), dim);
    const far = await kernelInceptionDistance(x, gaussian(rng, 64, dim, 1), dim);
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThan(near);
  });

  it('mean pairwise distance of a set is its spread', async () => {
    // Two points at distance 5: every distinct pair is (0,0)–(3,4).
    expect(await meanPairwiseDistance(new Float32Array([0, 0, 3, 4]), 2)).toBeCloseTo(5, 4);
    const rng = new Rng(13);
    const narrow = await meanPairwiseDistance(
      gaussian(rng, 32, 4).map((v) => v * 0.1),
      4,
    );
    const wide = await meanPairwiseDistance(gaussian(rng, 32, 4), 4);
    expect(wide).toBeGreaterThan(5 * narrow);
  });
});

describe('random-net features', () => {
  it('are deterministic for a seed and differ between seeds', async () => {
    const x = pick(10, 0);
    const a = featureNet(1, 28, 1);
    const b = featureNet(1, 28, 1);
    expect(a.kernels.every((k, i) => k.every((v, j) => v === b.kernels[i][j]))).toBe(true);
    expect(a.widths).toEqual([32, 64, 128]); // 28 → 14 → 7 → 4
    const fa = await imageFeatures(a, x);
    const fb = await imageFeatures(b, x);
    expect(fa.length).toBe(10 * a.dim);
    expect(fa.every((v, i) => Object.is(v, fb[i]))).toBe(true);
    const other = await imageFeatures(featureNet(2, 28, 1), x);
    expect(other.some((v, i) => Math.abs(v - fa[i]) > 1e-3)).toBe(true);
    expect(() => featureNet(1, 28, 2)).toThrow(/channels/);
  });

  it('compareSets: a set against another half of the data scores better than against noise, and leaks no tensors', async () => {
    const reals = pick(40, 1, 13);
    const before = tf.memory().numTensors;
    const same = await compareSets(pick(40, 5, 13), reals);
    const noise = await compareSets(withNoise(pick(40, 5, 13), 0.8, 4), reals);
    expect(tf.memory().numTensors).toBe(before);
    expect(same.swd).toBeLessThan(noise.swd);
    expect(same.kid).toBeLessThan(noise.kid);
    expect(same.diversity).toBeGreaterThan(0.7);
    expect(same.diversity).toBeLessThan(1.3);
    // One image repeated: a collapsed generator.
    const collapsed = subset(all, new Array(40).fill(3));
    expect((await compareSets(collapsed, reals)).diversity).toBeLessThan(0.05);
  });
});
