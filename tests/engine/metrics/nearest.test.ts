/** The memorization check: nearest neighbours and the copying score, on real Fashion-MNIST images. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { subset, type ImageSet } from '../../../src/engine/metrics/image-set';
import { copyingScore, nearestImages, nearestNeighbours } from '../../../src/engine/metrics/nearest';
import { demoImageSet28 } from '../../helpers/demo';
import { onBackend } from '../../helpers/tf';

let all: ImageSet;
beforeAll(async () => {
  await onBackend('wasm');
  all = await demoImageSet28();
});

describe('nearest neighbours', () => {
  it('finds the k nearest rows with their Euclidean distances, nearest first, across chunks', async () => {
    const base = new Float32Array([0, 0, 10, 0, 3, 4, 1, 1, -6, 8]);
    const query = new Float32Array([0, 0, 9, 1]);
    const found = await nearestNeighbours(query, base, 2, 3, 2);
    expect(found[0].map((n) => n.index)).toEqual([0, 3, 2]);
    expect(found[0][1].distance).toBeCloseTo(Math.SQRT2, 5);
    expect(found[0][2].distance).toBeCloseTo(5, 5);
    expect(found[1][0]).toMatchObject({ index: 1 });
    expect(found[1][0].distance).toBeCloseTo(Math.SQRT2, 5);
  });

  it('a few queries (a plain loop) and many (chunked tensors) find the same neighbours', async () => {
    const dim = 7;
    const base = Float32Array.from({ length: 50 * dim }, (_, i) => Math.sin(i * 1.7) * 3);
    const query = Float32Array.from({ length: 6 * dim }, (_, i) => Math.cos(i * 0.9) * 2);
    const before = tf.memory().numTensors;
    const many = await nearestNeighbours(query, base, dim, 4, 8); // 6 queries: tensors, 7 chunks
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 6; i++) {
      const one = await nearestNeighbours(query.subarray(i * dim, (i + 1) * dim), base, dim, 4); // the loop
      expect(one[0].map((nb) => nb.index)).toEqual(many[i].map((nb) => nb.index));
      one[0].forEach((nb, j) => expect(nb.distance).toBeCloseTo(many[i][j].distance, 3));
    }
  });

  it('a training image finds itself at distance 0 in both spaces; unseen images do not', async () => {
    const training = subset(
      all,
      Array.from({ length: 200 }, (_, i) => i * 13),
    );
    const queries = subset(all, [13 * 5, 13 * 77, 1, 2]);
    const before = tf.memory().numTensors;
    const r = await nearestImages(queries, training, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.features[0][0]).toMatchObject({ index: 5 });
    expect(r.pixels[1][0]).toMatchObject({ index: 77 });
    expect(r.features[0][0].distance).toBeLessThan(1e-2);
    expect(r.pixels[1][0].distance).toBeLessThan(1e-3);
    expect(r.pixels[2][0].distance).toBeGreaterThan(0.05);
    expect(r.features[3]).toHaveLength(3);
  });

  it('copying score: near 1 for a generator that returns training images, low for unseen real images', async () => {
    const training = subset(
      all,
      Array.from({ length: 300 }, (_, i) => i * 9),
    );
    const heldout = subset(
      all,
      Array.from({ length: 60 }, (_, i) => i * 9 + 4),
    );
    const fresh = subset(
      all,
      Array.from({ length: 60 }, (_, i) => i * 9 + 7),
    );
    const copies = subset(
      all,
      Array.from({ length: 60 }, (_, i) => i * 9 * 5),
    );
    const nearest = async (s: ImageSet) => (await nearestImages(s, training, 1)).features.map((l) => l[0].distance);
    const ref = await nearest(heldout);
    expect(copyingScore(await nearest(copies), ref).score).toBeGreaterThan(0.9);
    expect(copyingScore(await nearest(fresh), ref).score).toBeLessThan(0.3);
  });
});
