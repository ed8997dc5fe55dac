/**
 * Turning latents into pixels, in batches that bound memory, with the seed
 * rule's per-image dropout noise and classes (see ./seed-rule.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { LatentDist } from '../../shared/config';
import { UserError } from '../errors';
import { readBatch, type ImageBatch } from '../image/png';
import { classesFor, generatorInputs } from '../models/inputs';
import type { LoadedGenerator } from './generator';
import { latentsOf, seedNoise } from './rule';

/** Images per forward pass unless a caller says otherwise. */
export const GENERATE_BATCH = 64;

/**
 * Latent vectors of seeds seed, seed + 1, …, seed + count − 1 (the seed rule:
 * image k of seed s is seed s + k), from the run's distribution, scaled by ψ.
 */
export function latents(
  seed: number,
  count: number,
  latentDim: number,
  dist: LatentDist = 'normal',
  truncation = 1,
): Float32Array {
  return latentsOf(
    Array.from({ length: count }, (_, k) => seed + k),
    latentDim,
    dist,
    truncation,
  );
}

export interface GenerateOptions {
  /** Images per forward pass (bounds memory). */
  batchSize?: number;
  /** For a conditional generator: one class for all, one per image (cycled), or by default 0, 1, …, K−1, 0, … */
  classes?: number | ArrayLike<number> | null;
  /**
   * The seed of each image's dropout noise (a G trained with g.dropout > 0):
   * image i gets the noise of seed noiseSeeds[i], whatever batch it is in.
   * null: unseeded noise.
   */
  noiseSeeds?: ArrayLike<number> | null;
}

/** Images for the given latent vectors, generated in batches to bound memory. */
export async function generateImages(
  gen: LoadedGenerator,
  z: Float32Array,
  options: GenerateOptions = {},
): Promise<ImageBatch> {
  const batchSize = options.batchSize ?? GENERATE_BATCH;
  const count = z.length / gen.latentDim;
  if (options.noiseSeeds && options.noiseSeeds.length !== count)
    throw new RangeError(`${options.noiseSeeds.length} noise seeds for ${count} images`);
  let classes: Int32Array | null = null;
  try {
    if (gen.numClasses > 0) classes = classesFor(count, gen.numClasses, options.classes);
  } catch (err) {
    throw new UserError(`${(err as Error).message}: this generator has ${gen.numClasses} classes.`);
  }
  const bytes = new Uint8Array(count * gen.resolution * gen.resolution * gen.channels);
  let offset = 0;
  try {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      seedNoise(
        gen.model,
        options.noiseSeeds ? Array.from({ length: n }, (_, i) => options.noiseSeeds![start + i]) : null,
      );
      const images = tf.tidy(() => {
        const zt = tf.tensor2d(z.subarray(start * gen.latentDim, (start + n) * gen.latentDim), [n, gen.latentDim]);
        return gen.model.predict(generatorInputs(gen.model, zt, classes?.subarray(start, start + n))) as tf.Tensor4D;
      });
      try {
        const part = await readBatch(images);
        bytes.set(part.bytes, offset);
        offset += part.bytes.length;
      } finally {
        images.dispose();
      }
    }
  } finally {
    seedNoise(gen.model, null); // a loaded generator is shared; leave no seeds behind for the next caller
  }
  return { count, height: gen.resolution, width: gen.resolution, channels: gen.channels, bytes };
}

export interface SeedImagesOptions {
  /** Truncation ψ (1: none). */
  truncation?: number;
  /** Conditional generators: one class for all, one per seed, or by default 0, 1, …, K−1, 0, … by position. */
  classes?: number | ArrayLike<number> | null;
  batchSize?: number;
}

/** The images of the given seeds, by the seed rule: its latent, its noise, and the class asked for. */
export function generateSeeds(
  gen: LoadedGenerator,
  seeds: ArrayLike<number>,
  options: SeedImagesOptions = {},
): Promise<ImageBatch> {
  const z = latentsOf(seeds, gen.latentDim, gen.latentDist, options.truncation ?? 1);
  return generateImages(gen, z, { classes: options.classes, noiseSeeds: seeds, batchSize: options.batchSize });
}
