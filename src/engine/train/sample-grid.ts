/**
 * The run's sample grid: the same z every time, so the grids a run saves show
 * how one set of faces evolves, and the same dropout masks. A conditional GAN
 * shows one class per grid row (row r: class r mod K).
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { readBatch, type ImageBatch } from '../image/png';
import { setNoiseSeed } from '../layers';
import { Rng, deriveSeed } from '../rng';
import { sampleLatent } from './tricks';

/** One-hot rows (float) of class indices, for K classes. */
export function oneHotClasses(classes: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(classes), 'int32'), numClasses).toFloat() as tf.Tensor2D);
}

export class SampleGrid {
  private readonly noise: tf.Tensor2D;
  /** Conditional GAN: the classes of the grid's tiles. */
  private readonly labels: Int32Array | null;

  /** `numClasses`: 0 for an unconditional GAN. */
  constructor(
    private readonly config: TrainConfig,
    private readonly numClasses: number,
  ) {
    const fixed = new Rng(deriveSeed(config.seed, 'fixed-noise'));
    const n = config.gridSize * config.gridSize;
    const { latentDim, latentDist } = config.model;
    this.noise = tf.tensor2d(sampleLatent(fixed, n, latentDim, latentDist), [n, latentDim]);
    this.labels =
      numClasses > 0 ? Int32Array.from({ length: n }, (_, i) => Math.floor(i / config.gridSize) % numClasses) : null;
  }

  /** The grid's images from `gen`; a conditional GAN shows every row's class, or only `classIndex` when given. */
  async draw(gen: tf.LayersModel, classIndex?: number): Promise<ImageBatch> {
    setNoiseSeed(gen, deriveSeed(this.config.seed, 'fixed-dropout'));
    const images = tf.tidy(() => {
      if (!this.labels) return gen.predict(this.noise) as tf.Tensor4D;
      if (
        classIndex !== undefined &&
        !(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < this.numClasses)
      ) {
        throw new RangeError(`class ${classIndex} is outside 0..${this.numClasses - 1}`);
      }
      const classes = classIndex === undefined ? this.labels : new Int32Array(this.labels.length).fill(classIndex);
      return gen.predict([this.noise, oneHotClasses(classes, this.numClasses)]) as tf.Tensor4D;
    });
    try {
      return await readBatch(images);
    } finally {
      images.dispose();
    }
  }

  dispose(): void {
    this.noise.dispose();
  }
}
