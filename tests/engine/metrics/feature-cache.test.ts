/**
 * The nearest-feature cache, on real Fashion-MNIST images and real files: a
 * second search reads the features back (the same numbers the net computes),
 * new images or another feature seed miss, a damaged file is recomputed, and
 * writes leave no temp file behind.
 */
import * as tf from '@tensorflow/tfjs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDemoDataset, type Dataset } from '../../../src/engine/dataset';
import { datasetFeatures } from '../../../src/engine/metrics/feature-cache';
import { featureNet, imageFeatures } from '../../../src/engine/metrics/features';
import { chooseHoldout } from '../../../src/engine/metrics/holdout';
import { searchBaseOf } from '../../../src/engine/metrics/sample-nearest';
import { onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';

let demo: Dataset;
/** The first `n` images of the demo set as a data set of their own (with `flip` changing one pixel of image 0). */
function firstImages(n: number, flip = false) {
  const per = 28 * 28;
  const pixels = demo.pixels.slice(0, n * per);
  if (flip) pixels[0] = 255 - pixels[0];
  return {
    count: n,
    pixels,
    labels: demo.labels.slice(0, n),
    classNames: demo.classNames,
    batch: (indices: ArrayLike<number>, out = new Float32Array(indices.length * per)) => {
      for (let k = 0; k < indices.length; k++)
        for (let j = 0; j < per; j++) out[k * per + j] = pixels[indices[k] * per + j] / 127.5 - 1;
      return out.subarray(0, indices.length * per);
    },
  };
}
const shape = { resolution: 28, channels: 1 } as const;

beforeAll(async () => {
  await onBackend('wasm');
  demo = await loadDemoDataset({ resolution: 28, channels: 1, resize: 'crop', background: '#ffffff', minSize: 8 });
});

describe('feature cache', () => {
  it('computes once, reads the same numbers back, and misses for other images or another seed', async () => {
    const dir = await tempDir('gan-features-');
    const data = firstImages(240);
    const before = tf.memory().numTensors;
    const first = await datasetFeatures(data, shape, 1, { dir });
    expect(first.fromCache).toBe(false);
    expect(first.file).toBe(path.join(dir, `${first.contentKey}-seed1.gsft`));
    const direct = await imageFeatures(featureNet(1, 28, 1), {
      count: 240,
      size: 28,
      channels: 1,
      bytes: data.pixels,
    });
    expect(first.features).toEqual(direct);

    const second = await datasetFeatures(data, shape, 1, { dir });
    expect(second.fromCache).toBe(true);
    expect(second.features).toEqual(direct);
    expect(tf.memory().numTensors).toBe(before);

    // One changed pixel is another content key: computed again, in a file of its own.
    const changed = await datasetFeatures(firstImages(240, true), shape, 1, { dir });
    expect(changed.fromCache).toBe(false);
    expect(changed.contentKey).not.toBe(first.contentKey);
    expect(changed.features).not.toEqual(direct);
    // Another seed is another net.
    const seed2 = await datasetFeatures(data, shape, 2, { dir });
    expect(seed2.fromCache).toBe(false);
    expect(seed2.features).not.toEqual(direct);
    // Written atomically: only the finished files, no temp files.
    expect((await readdir(dir)).sort()).toEqual(
      [`${first.contentKey}-seed1.gsft`, `${first.contentKey}-seed2.gsft`, `${changed.contentKey}-seed1.gsft`].sort(),
    );
    // cache: false neither reads nor writes.
    const off = await datasetFeatures(data, shape, 1, { dir, cache: false });
    expect(off).toMatchObject({ fromCache: false, file: null });
  });

  it('a damaged or truncated file is computed again and rewritten whole', async () => {
    const dir = await tempDir('gan-features-');
    const data = firstImages(64);
    const first = await datasetFeatures(data, shape, 1, { dir });
    const bytes = await readFile(first.file!);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 0xff; // a feature byte: the checksum catches it
    await writeFile(first.file!, flipped);
    const again = await datasetFeatures(data, shape, 1, { dir });
    expect(again.fromCache).toBe(false);
    expect(again.features).toEqual(first.features);
    expect(await readFile(first.file!)).toEqual(bytes);
    await writeFile(first.file!, bytes.subarray(0, bytes.length - 7));
    expect((await datasetFeatures(data, shape, 1, { dir })).fromCache).toBe(false);
    expect((await datasetFeatures(data, shape, 1, { dir })).fromCache).toBe(true);
  });

  it('the search base of a split takes training rows only, and its copying reference the held-out rows', async () => {
    const dir = await tempDir('gan-features-');
    const data = firstImages(400);
    const split = chooseHoldout(400, 0.1, 2000, 7);
    const cold = await searchBaseOf(data, split, shape, { dir });
    const warm = await searchBaseOf(data, split, shape, { dir });
    expect([cold.fromCache, warm.fromCache]).toEqual([false, true]);
    expect(cold.indices).toHaveLength(360);
    expect(cold.indices.some((i) => split.heldout.includes(i))).toBe(false);
    expect(warm.base.rows).toEqual(cold.base.rows);
    expect(cold.copying!.heldoutNearest).toHaveLength(40);
    expect(warm.copying!.heldoutNearest).toEqual(cold.copying!.heldoutNearest);
    // Held-out images are not in the training set: none is at distance 0 from it.
    expect(Math.min(...cold.copying!.heldoutNearest)).toBeGreaterThan(0.1);
  });
});
