/**
 * Feeding a trained generator, for generate, export previews and the studio:
 * an unconditional G takes z; a conditional G (conditional.enabled) takes
 * [z, oneHot(classes)]. These helpers hide the difference.
 */
import * as tf from '@tensorflow/tfjs';
import type { LatentDist } from '../../shared/config';
import { Rng } from '../rng';
import { sampleLatent } from '../train/tricks';

/** Number of classes a generator takes (0: unconditional). */
export function generatorClassCount(model: tf.LayersModel): number {
  if (model.inputs.length < 2) return 0;
  return model.inputs[1].shape[1] as number;
}

/**
 * The class of each of `count` images: one class for all (a number), a list
 * (cycled if shorter), or by default 0, 1, …, K−1, 0, 1, … (a per-class grid
 * with K columns). Every class must be in 0..K−1.
 */
export function classesFor(count: number, numClasses: number, classes?: number | ArrayLike<number> | null): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = classes == null ? i % numClasses : typeof classes === 'number' ? classes : classes[i % classes.length];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses))
      throw new RangeError(`class ${c} is outside 0..${numClasses - 1}`);
    out[i] = c;
  }
  return out;
}

/** What to pass to `model.predict` for latent vectors `z` [N, latentDim] (and classes, for a conditional G). */
export function generatorInputs(
  model: tf.LayersModel,
  z: tf.Tensor2D,
  classes?: number | ArrayLike<number> | null,
): tf.Tensor | tf.Tensor[] {
  const k = generatorClassCount(model);
  if (k === 0) return z;
  return tf.tidy(() => [z.clone(), tf.oneHot(tf.tensor1d(classesFor(z.shape[0], k, classes), 'int32'), k).toFloat()]);
}

/** `count` latent vectors from `seed` with the run's distribution (config.model.latentDist). */
export function latentsFor(seed: number, count: number, latentDim: number, dist: LatentDist): Float32Array {
  return sampleLatent(new Rng(seed), count, latentDim, dist);
}
