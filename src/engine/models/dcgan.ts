/**
 * DCGAN generator and discriminator builders.
 *
 * Pure functions: the same spec and seed give the same model, with nothing
 * global touched but tfjs's layer-name counter. Every layer is a stock tfjs
 * layer, so models save as LayersModel JSON and load in a browser with
 * `tf.loadLayersModel` and no custom code.
 *
 * Two architectures:
 * - `dcgan-dense` (28×28): a dense projection to 7×7×2w, then two stride-2
 *   transposed convolutions; D mirrors it with two stride-2 convolutions and a
 *   dense logit (w = baseWidth; the `dcgan-28` preset has w = 64).
 * - `dcgan-conv` (16…256, powers of two): Radford et al.'s all-convolutional
 *   DCGAN, 4×4 kernels, BatchNorm between layers, ReLU in G, LeakyReLU 0.2 in D.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelArch } from '../../shared/config';
import { deriveSeed } from '../rng';

export interface ModelSpec {
  arch: ModelArch;
  resolution: number;
  channels: 1 | 3;
  latentDim: number;
  baseWidth: number;
}

/** DCGAN weights start from N(0, 0.02), BatchNorm scales from N(1, 0.02) (Radford et al. 2015). */
const INIT_STDDEV = 0.02;
/** PyTorch's BatchNorm defaults (momentum 0.1 there is 0.9 here), so runs compare with the torch peer. */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;
const LEAKY_SLOPE = 0.2;
/** The classic DCGAN caps the widest layer at 8× the base width (512 for width 64). */
const MAX_WIDTH_MULTIPLIER = 8;

export function checkModelSpec(spec: ModelSpec): void {
  const { arch, resolution, channels, latentDim, baseWidth } = spec;
  if (arch !== 'dcgan-dense' && arch !== 'dcgan-conv') throw new RangeError(`model.arch: unknown architecture "${String(arch)}"`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`model.channels must be 1 or 3, got ${channels}`);
  if (!Number.isInteger(latentDim) || latentDim < 1) throw new RangeError(`model.latentDim must be a positive integer, got ${latentDim}`);
  if (!Number.isInteger(baseWidth) || baseWidth < 1) throw new RangeError(`model.baseWidth must be a positive integer, got ${baseWidth}`);
  if (arch === 'dcgan-dense' && resolution !== 28) throw new RangeError(`model.resolution must be 28 for dcgan-dense, got ${resolution}`);
  if (arch === 'dcgan-conv' && !(resolution >= 16 && resolution <= 256 && (resolution & (resolution - 1)) === 0)) {
    throw new RangeError(`model.resolution must be a power of two from 16 to 256 for dcgan-conv, got ${resolution}`);
  }
}

/** Seeded initializers, one stream per layer so adding a layer does not reshuffle the others. */
function inits(seed: number, layer: string) {
  return {
    kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: INIT_STDDEV, seed: deriveSeed(seed, `${layer}/kernel`) }),
  };
}

function batchNorm(seed: number, layer: string): tf.layers.Layer {
  return tf.layers.batchNormalization({
    momentum: BN_MOMENTUM,
    epsilon: BN_EPSILON,
    gammaInitializer: tf.initializers.randomNormal({ mean: 1, stddev: INIT_STDDEV, seed: deriveSeed(seed, `${layer}/gamma`) }),
  });
}

/** Number of stride-2 steps between 4×4 and the output resolution. */
function upsamplingSteps(resolution: number): number {
  return Math.log2(resolution) - 2;
}

/** Filters at depth i of n (0 = the 4×4 end): base·2^(n-1-i), capped at 8× base. */
function widthAt(baseWidth: number, i: number, n: number): number {
  return baseWidth * Math.min(2 ** (n - 1 - i), MAX_WIDTH_MULTIPLIER);
}

export function buildGenerator(spec: ModelSpec, seed: number): tf.Sequential {
  checkModelSpec(spec);
  return spec.arch === 'dcgan-dense' ? denseGenerator(spec, seed) : convGenerator(spec, seed);
}

export function buildDiscriminator(spec: ModelSpec, seed: number): tf.Sequential {
  checkModelSpec(spec);
  return spec.arch === 'dcgan-dense' ? denseDiscriminator(spec, seed) : convDiscriminator(spec, seed);
}

/**
 * dcgan-dense G, with w = 2·baseWidth (128 for the default 64):
 * [z] → dense → [7·7·w] → BN, LReLU → reshape [7,7,w]
 *     → convT k4 s2 → [14,14,w/2] → BN, LReLU → convT k4 s2 → [28,28,C] → tanh
 */
function denseGenerator({ latentDim, channels, baseWidth }: ModelSpec, seed: number): tf.Sequential {
  const w = baseWidth * 2;
  const g = tf.sequential({ name: 'generator' });
  g.add(tf.layers.dense({ inputShape: [latentDim], units: 7 * 7 * w, useBias: false, ...inits(seed, 'g0') })); // [7·7·w]
  g.add(batchNorm(seed, 'g0/bn'));
  g.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
  g.add(tf.layers.reshape({ targetShape: [7, 7, w] })); // [7,7,w]
  g.add(tf.layers.conv2dTranspose({ filters: w / 2, kernelSize: 4, strides: 2, padding: 'same', useBias: false, ...inits(seed, 'g1') })); // [14,14,w/2]
  g.add(batchNorm(seed, 'g1/bn'));
  g.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
  g.add(tf.layers.conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: 'same', ...inits(seed, 'g2') })); // [28,28,C]
  g.add(tf.layers.activation({ activation: 'tanh' }));
  return g;
}

/**
 * dcgan-dense D, with w = baseWidth (64 by default):
 * [28,28,C] → conv k4 s2 → [14,14,w] → LReLU → conv k4 s2 → [7,7,2w] → LReLU → flatten → dense → [1] logit
 */
function denseDiscriminator({ channels, baseWidth }: ModelSpec, seed: number): tf.Sequential {
  const w = baseWidth;
  const d = tf.sequential({ name: 'discriminator' });
  d.add(tf.layers.conv2d({ inputShape: [28, 28, channels], filters: w, kernelSize: 4, strides: 2, padding: 'same', ...inits(seed, 'd0') })); // [14,14,w]
  d.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
  d.add(tf.layers.conv2d({ filters: w * 2, kernelSize: 4, strides: 2, padding: 'same', ...inits(seed, 'd1') })); // [7,7,2w]
  d.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
  d.add(tf.layers.flatten()); // [7·7·2w]
  d.add(tf.layers.dense({ units: 1, ...inits(seed, 'd2') })); // [1] logit
  return d;
}

/**
 * dcgan-conv G, n = log2(R) − 2 stride-2 steps (n = 4 at 64×64, widths 512…64):
 * [z] → reshape [1,1,z] → convT k4 s1 valid → [4,4,w·2^(n-1)] → BN, ReLU
 *     → (convT k4 s2 → ×2 size, ½ width → BN, ReLU) × (n−1) → convT k4 s2 → [R,R,C] → tanh
 */
function convGenerator({ latentDim, channels, baseWidth, resolution }: ModelSpec, seed: number): tf.Sequential {
  const n = upsamplingSteps(resolution);
  const g = tf.sequential({ name: 'generator' });
  g.add(tf.layers.reshape({ inputShape: [latentDim], targetShape: [1, 1, latentDim] })); // [1,1,z]
  g.add(tf.layers.conv2dTranspose({ filters: widthAt(baseWidth, 0, n), kernelSize: 4, strides: 1, padding: 'valid', useBias: false, ...inits(seed, 'g0') })); // [4,4,w0]
  g.add(batchNorm(seed, 'g0/bn'));
  g.add(tf.layers.reLU());
  for (let i = 1; i < n; i++) {
    g.add(tf.layers.conv2dTranspose({ filters: widthAt(baseWidth, i, n), kernelSize: 4, strides: 2, padding: 'same', useBias: false, ...inits(seed, `g${i}`) })); // [4·2^i, 4·2^i, wi]
    g.add(batchNorm(seed, `g${i}/bn`));
    g.add(tf.layers.reLU());
  }
  g.add(tf.layers.conv2dTranspose({ filters: channels, kernelSize: 4, strides: 2, padding: 'same', ...inits(seed, `g${n}`) })); // [R,R,C]
  g.add(tf.layers.activation({ activation: 'tanh' }));
  return g;
}

/**
 * dcgan-conv D, the mirror of G:
 * [R,R,C] → conv k4 s2 → [R/2,R/2,w] → LReLU → (conv k4 s2 → ½ size, 2× width → BN, LReLU) × (n−1)
 *         → [4,4,w·2^(n-1)] → conv k4 valid → [1,1,1] → flatten → [1] logit
 */
function convDiscriminator({ channels, baseWidth, resolution }: ModelSpec, seed: number): tf.Sequential {
  const n = upsamplingSteps(resolution);
  const d = tf.sequential({ name: 'discriminator' });
  d.add(tf.layers.conv2d({ inputShape: [resolution, resolution, channels], filters: widthAt(baseWidth, n - 1, n), kernelSize: 4, strides: 2, padding: 'same', ...inits(seed, 'd0') })); // [R/2,R/2,w]
  d.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
  for (let i = 1; i < n; i++) {
    d.add(tf.layers.conv2d({ filters: widthAt(baseWidth, n - 1 - i, n), kernelSize: 4, strides: 2, padding: 'same', useBias: false, ...inits(seed, `d${i}`) })); // [R/2^(i+1), …, w·2^i]
    d.add(batchNorm(seed, `d${i}/bn`));
    d.add(tf.layers.leakyReLU({ alpha: LEAKY_SLOPE }));
  }
  d.add(tf.layers.conv2d({ filters: 1, kernelSize: 4, strides: 1, padding: 'valid', ...inits(seed, `d${n}`) })); // [1,1,1]
  d.add(tf.layers.flatten()); // [1] logit
  return d;
}
