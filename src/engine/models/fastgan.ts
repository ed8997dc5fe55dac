/**
 * FastGAN generator and discriminator (Liu et al., ICLR 2021, "Towards Faster
 * and Stabilized GAN Training for High-fidelity Few-shot Image Synthesis",
 * the recipe behind lightweight-gan), scaled to 64–256 px and to a laptop CPU.
 *
 * Pure functions: the same spec and seed give the same model, with nothing
 * global touched but tfjs's layer-name counter. Both are functional models
 * (skip connections); the custom layers are GanGLU (G and the decoders) and
 * GanQuarterCrop (D only), registered by ../layers and shipped to the browser
 * in gan-layers.js.
 *
 * G: z → 4×4 (transposed conv, BN, GLU), then one up-block per doubling
 * (nearest ×2, conv 3×3 to 2·c, BN, GLU to c), then conv 3×3 to the image and
 * tanh. Skip-layer excitation (SLE) gates a high-resolution map channel-wise
 * from a low-resolution one: average-pool the low map to 4×4, conv 4×4 valid
 * to [1,1,c], LeakyReLU 0.1, conv 1×1, sigmoid, multiply. The paper joins side
 * s to 16s (8→128, 16→256, …), which leaves nothing below 128 px; here side s
 * joins 8s for every 8s from 32 to the output (64 px: 4→32 and 8→64).
 *
 * D: stride-2 4×4 convs (BN and LeakyReLU 0.2 after all but the first) down to
 * 8×8; the score is conv 1×1, BN, LeakyReLU, conv 4×4 valid over the 8×8 map
 * (a 5×5 patch map) averaged to one logit. Two small decoders (nearest ×2,
 * conv 3×3, BN, GLU per doubling, then conv 3×3 and tanh) reconstruct, on
 * real images only, the whole image at half size from the 8×8 features and
 * one quarter of it at full size from that quarter of the 16×16 features
 * (fastganReconstructionLoss, an L1 in place of the paper's LPIPS, which
 * needs downloaded weights). The decoders are training-only: G is what is
 * exported. The official code also spectral-normalises every conv and gives
 * D a second branch on a downscaled copy; both are left out for CPU speed.
 *
 * D's outputs: [score [N,1], whole image [N,R/2,R/2,C], quarter [N,R/2,R/2,C]].
 * Training uses D's first output alone for fakes and for G's step
 * (fastganScoreView), and all three for the real batch.
 */
import * as tf from '@tensorflow/tfjs';
import { GanLayers } from '../layers';
import { deriveSeed } from '../rng';
import type { ModelSpec } from './dcgan';

const FASTGAN_MIN_RESOLUTION = 64;
const FASTGAN_MAX_RESOLUTION = 256;
/** DCGAN-style init, N(0, 0.02) for convs and N(1, 0.02) for BN scales, as the official code. */
const INIT_STDDEV = 0.02;
/** PyTorch's BatchNorm defaults (momentum 0.1 there is 0.9 here). */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;
const D_SLOPE = 0.2;
/** SLE's hidden activation: the paper uses Swish; a LeakyReLU is cheaper and stock. */
const SLE_SLOPE = 0.1;
/** Widest map: 8× the base width (as dcgan-conv). */
const MAX_WIDTH_MULTIPLIER = 8;
/** Decoder maps stay at least this wide. */
const MIN_DECODER_WIDTH = 8;

export function checkFastganSpec(spec: ModelSpec): void {
  const { resolution: r, channels, latentDim, baseWidth } = spec;
  if (spec.arch !== 'fastgan') throw new RangeError(`model.arch: expected "fastgan", got "${String(spec.arch)}"`);
  if (!(Number.isInteger(r) && r >= FASTGAN_MIN_RESOLUTION && r <= FASTGAN_MAX_RESOLUTION && (r & (r - 1)) === 0))
    throw new RangeError(
      `model.resolution must be a power of two from ${FASTGAN_MIN_RESOLUTION} to ${FASTGAN_MAX_RESOLUTION} for fastgan, got ${r}`,
    );
  if (channels !== 1 && channels !== 3) throw new RangeError(`model.channels must be 1 or 3, got ${channels}`);
  if (!Number.isInteger(latentDim) || latentDim < 1)
    throw new RangeError(`model.latentDim must be a positive integer, got ${latentDim}`);
  if (!Number.isInteger(baseWidth) || baseWidth < 4)
    throw new RangeError(`model.baseWidth must be an integer of at least 4 for fastgan, got ${baseWidth}`);
  if (spec.conditional) throw new RangeError('conditional.enabled: the fastgan architecture is unconditional');
}

/**
 * Channels of a G or D map of side s in a model of resolution r: w·r/(2s), clamped
 * to [w/2, 8w] (so G's full-resolution block, the costliest, is w/2 wide, as the
 * paper narrows its last blocks).
 */
function fastganWidth(baseWidth: number, side: number, resolution: number): number {
  return Math.max(1, Math.round(baseWidth * Math.min(MAX_WIDTH_MULTIPLIER, Math.max(0.5, resolution / (2 * side)))));
}

/** Channels of a decoder map of side s: the base width at 16×16, halving per doubling, at least 8. */
function decoderWidth(baseWidth: number, side: number): number {
  return Math.max(MIN_DECODER_WIDTH, Math.round((baseWidth * 16) / side));
}

/** The [low, high] sides joined by skip-layer excitation: s → 8s for each 8s from 32 to the resolution. */
export function slePairs(resolution: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 4; 8 * s <= resolution; s *= 2) if (8 * s >= 32) out.push([s, 8 * s]);
  return out;
}

/** Side of D's reconstructions: half the image, so the quarter is reproduced at its own resolution. */
function decoderSide(resolution: number): number {
  return resolution / 2;
}

/** Seeded layers for one network, one init stream per layer name. */
class Layers {
  constructor(private readonly seed: number) {}

  private init(name: string, mean = 0) {
    return tf.initializers.randomNormal({ mean, stddev: INIT_STDDEV, seed: deriveSeed(this.seed, name) });
  }

  conv(
    name: string,
    x: tf.SymbolicTensor,
    filters: number,
    kernelSize: number,
    strides = 1,
    padding: 'same' | 'valid' = 'same',
    useBias = false,
  ): tf.SymbolicTensor {
    return tf.layers
      .conv2d({ filters, kernelSize, strides, padding, useBias, kernelInitializer: this.init(`${name}/kernel`) })
      .apply(x) as tf.SymbolicTensor;
  }

  bn(name: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
    return tf.layers
      .batchNormalization({
        momentum: BN_MOMENTUM,
        epsilon: BN_EPSILON,
        gammaInitializer: this.init(`${name}/gamma`, 1),
      })
      .apply(x) as tf.SymbolicTensor;
  }

  leaky(x: tf.SymbolicTensor, alpha: number): tf.SymbolicTensor {
    return tf.layers.leakyReLU({ alpha }).apply(x) as tf.SymbolicTensor;
  }

  /** [s,s,·] → nearest ×2 → conv 3×3 → [2s,2s,2c] → BN → GLU → [2s,2s,c]. */
  up(name: string, x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
    const u = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'nearest' }).apply(x) as tf.SymbolicTensor;
    const y = this.bn(`${name}/bn`, this.conv(name, u, 2 * filters, 3));
    return new GanLayers.GanGLU({}).apply(y) as tf.SymbolicTensor;
  }

  /** high [S,S,c] · sigmoid(conv1×1(leaky(conv4×4 valid(pool→4×4(low [s,s,·]))))) [1,1,c]. */
  excite(name: string, low: tf.SymbolicTensor, high: tf.SymbolicTensor): tf.SymbolicTensor {
    const side = low.shape[1] as number;
    const c = high.shape[3] as number;
    let p = low;
    if (side > 4)
      p = tf.layers.averagePooling2d({ poolSize: side / 4, strides: side / 4 }).apply(low) as tf.SymbolicTensor;
    const h = this.leaky(this.conv(`${name}/a`, p, c, 4, 1, 'valid'), SLE_SLOPE); // [1,1,c]
    const gate = tf.layers.activation({ activation: 'sigmoid' }).apply(this.conv(`${name}/b`, h, c, 1));
    return tf.layers.multiply().apply([high, gate as tf.SymbolicTensor]) as tf.SymbolicTensor;
  }

  /** [8,8,·] → up-blocks → [side,side,·] → conv 3×3 → [side,side,C] → tanh. */
  decoder(name: string, x: tf.SymbolicTensor, side: number, channels: number, baseWidth: number): tf.SymbolicTensor {
    let y = x;
    for (let s = 16; s <= side; s *= 2) y = this.up(`${name}/up${s}`, y, decoderWidth(baseWidth, s));
    const rgb = this.conv(`${name}/out`, y, channels, 3, 1, 'same', true);
    return tf.layers.activation({ activation: 'tanh' }).apply(rgb) as tf.SymbolicTensor;
  }
}

export function buildFastGenerator(spec: ModelSpec, seed: number): tf.LayersModel {
  checkFastganSpec(spec);
  const { resolution: r, channels, latentDim, baseWidth: w } = spec;
  const L = new Layers(seed);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  // [z] → reshape [1,1,z] → convT 4×4 valid → [4,4,2·c4] → BN → GLU → [4,4,c4]
  const z11 = tf.layers.reshape({ targetShape: [1, 1, latentDim] }).apply(z) as tf.SymbolicTensor;
  const c4 = fastganWidth(w, 4, r);
  const init = tf.layers
    .conv2dTranspose({
      filters: 2 * c4,
      kernelSize: 4,
      strides: 1,
      padding: 'valid',
      useBias: false,
      kernelInitializer: tf.initializers.randomNormal({ stddev: INIT_STDDEV, seed: deriveSeed(seed, 'g4/kernel') }),
    })
    .apply(z11) as tf.SymbolicTensor;
  let x = new GanLayers.GanGLU({}).apply(L.bn('g4/bn', init)) as tf.SymbolicTensor;
  const feats = new Map<number, tf.SymbolicTensor>([[4, x]]);
  const pairs = slePairs(r);
  // (up → [s,s,c_s], gated by SLE from side s/8 when paired) for s = 8 … r
  for (let s = 8; s <= r; s *= 2) {
    x = L.up(`g${s}`, x, fastganWidth(w, s, r));
    const pair = pairs.find(([, high]) => high === s);
    if (pair) x = L.excite(`sle${pair[0]}-${s}`, feats.get(pair[0])!, x);
    feats.set(s, x);
  }
  // [r,r,c_r] → conv 3×3 → [r,r,C] → tanh
  const out = tf.layers
    .activation({ activation: 'tanh' })
    .apply(L.conv('g_out', x, channels, 3, 1, 'same', true)) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: out, name: 'generator' });
}

export function buildFastDiscriminator(spec: ModelSpec, seed: number): tf.LayersModel {
  checkFastganSpec(spec);
  const { resolution: r, channels, baseWidth: w } = spec;
  const L = new Layers(seed);
  const image = tf.input({ shape: [r, r, channels], name: 'image' });
  // [r,r,C] → conv 4×4 s2 → [r/2,r/2,c] → leaky → (conv 4×4 s2 → BN → leaky) … → [8,8,c8]
  let x = L.leaky(L.conv(`d${r / 2}`, image, fastganWidth(w, r / 2, r), 4, 2, 'same', true), D_SLOPE);
  let feat16: tf.SymbolicTensor | null = null;
  for (let s = r / 4; s >= 8; s /= 2) {
    x = L.leaky(L.bn(`d${s}/bn`, L.conv(`d${s}`, x, fastganWidth(w, s, r), 4, 2)), D_SLOPE);
    if (s === 16) feat16 = x;
  }
  const feat8 = x;
  // [8,8,c8] → conv 1×1 → BN → leaky → conv 4×4 valid → [5,5,1] → mean → [1]
  const c8 = fastganWidth(w, 8, r);
  const h = L.leaky(L.bn('score/bn', L.conv('score/a', feat8, c8, 1)), D_SLOPE);
  const patches = L.conv('score/b', h, 1, 4, 1, 'valid', true);
  const score = tf.layers.globalAveragePooling2d({}).apply(patches) as tf.SymbolicTensor;
  // [8,8,c8] → decoder → [r/2,r/2,C]: the whole image at half size
  const side = decoderSide(r);
  const whole = L.decoder('dec_all', feat8, side, channels, w);
  // [16,16,c16] → quarter → [8,8,c16] → decoder → [r/2,r/2,C]: that quarter of the image
  const quarter = new GanLayers.GanQuarterCrop({}).apply(feat16!) as tf.SymbolicTensor;
  const part = L.decoder('dec_part', quarter, side, channels, w);
  return tf.model({ inputs: image, outputs: [score, whole, part], name: 'discriminator' });
}

/** Whether a D is fastgan's (score plus reconstructions). */
export function hasReconstructions(d: tf.LayersModel): boolean {
  return d.outputs.length === 3;
}

/** D's score alone, sharing D's layers and weights (fakes and G's step need no decoder). Holds no tensors of its own. */
export function fastganScoreView(d: tf.LayersModel): tf.LayersModel {
  return tf.model({ inputs: d.inputs, outputs: d.outputs[0], name: `${d.name}_score` });
}

/** The whole image at half size (2×2 means) and quarter q at full size: what D's decoders must reproduce. */
export function reconstructionTargets(images: tf.Tensor4D, quarter: number): { whole: tf.Tensor4D; part: tf.Tensor4D } {
  return tf.tidy(() => {
    const [n, r, , c] = images.shape;
    const h = r / 2;
    const whole = images.reshape([n, h, 2, h, 2, c]).mean([2, 4]) as tf.Tensor4D;
    const part = images.slice([0, (quarter >> 1) * h, (quarter & 1) * h, 0], [n, h, h, c]);
    return { whole, part };
  });
}

/** L1 of D's two reconstructions (outputs 1 and 2) against the real batch D saw, summed. */
export function fastganReconstructionLoss(outputs: tf.Tensor[], images: tf.Tensor4D, quarter: number): tf.Scalar {
  return tf.tidy(() => {
    const t = reconstructionTargets(images, quarter);
    return outputs[1].sub(t.whole).abs().mean().add(outputs[2].sub(t.part).abs().mean()) as tf.Scalar;
  });
}
