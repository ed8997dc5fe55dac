/**
 * Generation in the engine: no tensor leaks across calls, batches that do
 * not change an image, the batch writer's bounds and its clear lines.
 */
import * as tf from '@tensorflow/tfjs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import {
  generateImages,
  generateSeeds,
  latents,
  loadGenerator,
  MAX_BATCH_IMAGES,
  writeSeedBatch,
  type LoadedGenerator,
} from '../../../src/engine/generate';
import { tempDir } from '../../helpers/temp';
import { onBackend } from '../../helpers/tf';
import { trainTinyRun } from '../../helpers/tiny-run';

let gen: LoadedGenerator;

beforeAll(async () => {
  await onBackend('wasm');
  const sets = ['steps=1', 'g.dropout=0.4', 'g.norm=pixel', 'conditional.enabled=true', 'conditional.batchNorm=false'];
  gen = await loadGenerator(await trainTinyRun(await tempDir(), sets));
}, 120_000);

describe('generation', () => {
  it('leaks no tensors across calls (seeded noise, classes, batches, the batch writer)', async () => {
    await generateSeeds(gen, [1, 2, 3]); // warm-up: lazily built kernels and weights
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      await generateSeeds(gen, [1, 2, 3, 4, 5], { truncation: 0.7, batchSize: 2 });
      await generateImages(gen, latents(9, 3, gen.latentDim, gen.latentDist), { classes: 1 });
      await writeSeedBatch(gen, { dir: await tempDir(), seed: 3, count: 5, batchSize: 2, grid: true });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives an image the same pixels whatever the batch size it is drawn in', async () => {
    const one = await generateSeeds(gen, [1, 2, 3, 4, 5], { batchSize: 1 });
    const all = await generateSeeds(gen, [1, 2, 3, 4, 5], { batchSize: 64 });
    expect(Buffer.from(all.bytes).equals(Buffer.from(one.bytes))).toBe(true);
  });

  it('streams a batch to disk with progress after every batch, and bounds what one call may ask', async () => {
    const dir = path.join(await tempDir(), 'out');
    const progress: number[] = [];
    const result = await writeSeedBatch(gen, {
      dir,
      seed: 7,
      count: 10,
      batchSize: 4,
      onProgress: (done) => progress.push(done),
    });
    expect(result.files).toBe(10);
    expect(progress).toEqual([0, 4, 8, 10]);
    expect((await readdir(dir)).sort()).toEqual(
      Array.from({ length: 10 }, (_, k) => `seed7-${String(k).padStart(4, '0')}.png`),
    );
    await expect(writeSeedBatch(gen, { dir, seed: 0, count: MAX_BATCH_IMAGES + 1 })).rejects.toThrow(
      /more than one call may write \(at most 1,000,000\)/,
    );
    await expect(writeSeedBatch(gen, { dir, seed: 0, count: 2000, grid: true })).rejects.toThrow(
      /A grid holds at most 1024 images/,
    );
    await expect(writeSeedBatch(gen, { dir, seed: 0, count: 0 })).rejects.toBeInstanceOf(UserError);
  });

  it('writes a batch at a chosen scale, crisp or smooth (Lanczos), and refuses an unknown filter', async () => {
    const read = async (dir: string, name: string) =>
      sharp(path.join(dir, name)).raw().toBuffer({ resolveWithObject: true });
    const plain = await tempDir();
    const crisp = await tempDir();
    const smooth = await tempDir();
    await writeSeedBatch(gen, { dir: plain, seed: 4, count: 2 });
    await writeSeedBatch(gen, { dir: crisp, seed: 4, count: 2, scale: 3 });
    await writeSeedBatch(gen, { dir: smooth, seed: 4, count: 2, scale: 3, filter: 'lanczos', grid: true });
    const name = (await readdir(plain)).sort()[0];
    const [p, c, l] = await Promise.all([read(plain, name), read(crisp, name), read(smooth, name)]);
    expect([c.info.width, c.info.height, l.info.width, l.info.height]).toEqual([48, 48, 48, 48]);
    // Nearest: every source pixel becomes a 3×3 block of itself.
    for (const [x, y] of [
      [0, 0],
      [5, 9],
      [15, 15],
    ])
      for (let ch = 0; ch < 3; ch++)
        expect(c.data[((y * 3 + 1) * 48 + x * 3 + 2) * 3 + ch]).toBe(p.data[(y * 16 + x) * 3 + ch]);
    expect(l.data.equals(c.data)).toBe(false);
    expect((await sharp(path.join(smooth, 'grid.png')).metadata()).width).toBeGreaterThan(2 * 48);
    await expect(
      writeSeedBatch(gen, { dir: await tempDir(), seed: 1, count: 1, scale: 2, filter: 'cubic' as never }),
    ).rejects.toThrow(/Unknown upscale filter "cubic"/);
  });

  it('says a file is not a folder instead of failing with EEXIST', async () => {
    const file = path.join(await tempDir(), 'taken.png');
    await writeFile(file, 'x');
    await expect(writeSeedBatch(gen, { dir: file, seed: 0, count: 1 })).rejects.toThrow(
      new UserError(`${file} is a file, not a folder: give a folder to write the images into.`),
    );
    await expect(writeSeedBatch(gen, { dir: path.join(file, 'below'), seed: 0, count: 1 })).rejects.toThrow(
      /part of that path is a file/,
    );
  });
});
