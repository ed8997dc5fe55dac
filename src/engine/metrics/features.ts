/**
 * Image features from fixed-seed, randomly initialised conv nets: no weights
 * to download, the same numbers on every machine for a seed. Random
 * convolutional features are a fair yardstick far from ImageNet (Naeem et al.
 * 2020, "Reliable fidelity and diversity metrics"; Lee et al. 2022), and
 * averaging several seeds takes out the luck of one draw.
 *
 * The net: 3×3 convolutions with stride 2 and LeakyReLU(0.2), widths 32, 64,
 * 128, 256 (capped), until the map is 4×4 or smaller; He-normal weights drawn
 * from our own Rng (so they do not depend on tfjs's generator), no biases. The
 * features are the spatial means of every layer's activations, concatenated:
 * coarse colour statistics from the first layer, shapes from the last.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, deriveSeed } from '../rng';
import { toUnit, type ImageSet } from './image-set';

/** Seeds of the feature nets averaged by KID and diversity (documented in the README). */
export const FEATURE_SEEDS = [1, 2, 3] as const;

export interface FeatureNet {
  seed: number;
  channels: number;
  size: number;
  /** [3, 3, in, out] kernels, one per layer. */
  kernels: Float32Array[];
  widths: number[];
  /** Length of a feature vector: the sum of the widths. */
  dim: number;
}

/** The feature net for a seed and an image geometry. Pure: same arguments, same weights. */
export function featureNet(seed: number, size: number, channels: number): FeatureNet {
  if (!Number.isInteger(size) || size < 4) throw new RangeError(`featureNet: size must be an integer ≥ 4, got ${size}`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`featureNet: channels must be 1 or 3, got ${channels}`);
  const rng = new Rng(deriveSeed(seed, 'metrics/features'));
  const kernels: Float32Array[] = [];
  const widths: number[] = [];
  let inC = channels;
  let side = size;
  for (let layer = 0; side > 4 || layer === 0; layer++) {
    const outC = Math.min(32 << layer, 256);
    const w = rng.normal(new Float32Array(9 * inC * outC));
    const scale = Math.sqrt(2 / (9 * inC)); // He init: keeps activations at the input's scale
    for (let i = 0; i < w.length; i++) w[i] *= scale;
    kernels.push(w);
    widths.push(outC);
    inC = outC;
    side = Math.ceil(side / 2);
  }
  return { seed, channels, size, kernels, widths, dim: widths.reduce((a, b) => a + b, 0) };
}

/** Features of every image of a set: [count, net.dim] row-major, computed in batches. */
export async function imageFeatures(net: FeatureNet, set: ImageSet, batchSize = 64): Promise<Float32Array> {
  if (set.size !== net.size || set.channels !== net.channels) {
    throw new Error(
      `feature net for ${net.size}×${net.size}×${net.channels} got ${set.size}×${set.size}×${set.channels} images`,
    );
  }
  const out = new Float32Array(set.count * net.dim);
  const pixels = toUnit(set);
  const per = set.size * set.size * set.channels;
  const kernels = net.kernels.map((k, i) =>
    tf.tensor4d(k, [3, 3, i === 0 ? net.channels : net.widths[i - 1], net.widths[i]]),
  );
  try {
    for (let start = 0; start < set.count; start += batchSize) {
      const n = Math.min(batchSize, set.count - start);
      const feats = tf.tidy(() => {
        // [n, size, size, channels] in [-1, 1]
        let x: tf.Tensor4D = tf.tensor4d(pixels.subarray(start * per, (start + n) * per), [
          n,
          set.size,
          set.size,
          set.channels,
        ]);
        const parts: tf.Tensor2D[] = [];
        for (const k of kernels) {
          // [n, ceil(h/2), ceil(w/2), width]
          x = tf.leakyRelu(tf.conv2d(x, k as tf.Tensor4D, 2, 'same'), 0.2);
          parts.push(tf.mean(x, [1, 2]) as tf.Tensor2D); // [n, width]
        }
        return tf.concat(parts, 1); // [n, dim]
      });
      // An async read works on every backend (tfjs-webgpu in Node has no synchronous read-back).
      try {
        out.set((await feats.data()) as Float32Array, start * net.dim);
      } finally {
        feats.dispose();
      }
    }
  } finally {
    for (const k of kernels) k.dispose();
  }
  return out;
}

export interface Standardiser {
  mean: Float32Array;
  std: Float32Array;
}

/** Per-dimension mean and std of reference features, so every dimension counts alike in distances and kernels. */
export function standardiser(features: Float32Array, dim: number): Standardiser {
  const n = features.length / dim;
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) std[j] += (features[i * dim + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < dim; j++) std[j] = Math.sqrt(std[j]) || 1;
  return { mean, std };
}

export function standardise(features: Float32Array, s: Standardiser): Float32Array {
  const dim = s.mean.length;
  const out = new Float32Array(features.length);
  for (let i = 0; i < out.length; i++) out[i] = (features[i] - s.mean[i % dim]) / s.std[i % dim];
  return out;
}
