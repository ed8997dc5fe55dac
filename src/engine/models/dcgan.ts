// One file on purpose: G and D are built from the same private Net helper; a split would have to export it.
/**
 * DCGAN generator and discriminator builders.
 *
 * Pure functions: the same spec and seed give the same model, with nothing
 * global touched but tfjs's layer-name counter. With the default options every
 * layer is a stock tfjs layer (the dcgan-28 and dcgan-64 presets), so models
 * load in a browser with `tf.loadLayersModel` and no custom code. Options that
 * need custom layers (spectral norm, pixel/instance/layer norm, pixel shuffle,
 * dropout noise, conditional batch norm, …) use ../layers, which registers them
 * for serialization; see ../layers/web.ts for the browser side.
 *
 * Options (ModelSpec.g / .d / .conditional, all optional; defaults = DCGAN):
 * normalization, activations, G up-sampling, D down-sampling, kernel size,
 * spectral norm, dropout noise, minibatch stddev, and a class-conditional
 * variant (G: label embedding concatenated to z, optional conditional batch
 * norm; D: projection head or one-hot label channels). A conditional model has
 * two inputs, [z, oneHotLabels] for G and [image, oneHotLabels] for D.
 * With d.spectralNorm, the projection head's class embedding and output weights
 * are spectral-normalised too (SNGAN, Miyato & Koyama 2018).
 *
 * Two architectures:
 * - `dcgan-dense` (28×28): a dense projection to 7×7×2w, then two stride-2
 *   transposed convolutions; D mirrors it with two stride-2 convolutions and a
 *   dense logit (w = baseWidth; the `dcgan-28` preset has w = 64).
 * - `dcgan-conv` (16…256, powers of two): Radford et al.'s all-convolutional
 *   DCGAN, 4×4 kernels, BatchNorm between layers, ReLU in G, LeakyReLU 0.2 in D.
 */
import * as tf from '@tensorflow/tfjs';
import type { DownsampleName, InitName, ModelArch, UpsampleName } from '../../shared/config';
import { GanLayers } from '../layers';
import { deriveSeed } from '../rng';

export type ConcreteNorm = 'batch' | 'instance' | 'layer' | 'pixel' | 'none';

export interface GArch {
  norm: ConcreteNorm;
  activation: 'relu' | 'leakyrelu';
  leakySlope: number;
  upsample: UpsampleName;
  kernelSize: number;
  spectralNorm: boolean;
  dropout: number;
  tanhOutput: boolean;
  init: InitName;
}

export interface DArch {
  norm: ConcreteNorm;
  activation: 'relu' | 'leakyrelu';
  leakySlope: number;
  downsample: DownsampleName;
  kernelSize: number;
  spectralNorm: boolean;
  minibatchStd: boolean;
  minibatchGroup: number;
  init: InitName;
}

export interface ConditionalArch {
  numClasses: number;
  embedDim: number;
  discriminator: 'projection' | 'channels';
  batchNorm: boolean;
}

export interface ModelSpec {
  arch: ModelArch;
  resolution: number;
  channels: 1 | 3;
  latentDim: number;
  baseWidth: number;
  g?: Partial<GArch>;
  d?: Partial<DArch>;
  conditional?: ConditionalArch | null;
}

/** DCGAN weights start from N(0, 0.02), BatchNorm scales from N(1, 0.02) (Radford et al. 2015). */
const INIT_STDDEV = 0.02;
/** PyTorch's BatchNorm defaults (momentum 0.1 there is 0.9 here), so runs compare with the torch peer. */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;
const LEAKY_SLOPE = 0.2;
/** The classic DCGAN caps the widest layer at 8× the base width (512 for width 64). */
const MAX_WIDTH_MULTIPLIER = 8;

/** The architecture's own defaults (the DCGAN of each arch). */
export function defaultGArch(arch: ModelArch): GArch {
  return {
    norm: 'batch',
    activation: arch === 'dcgan-dense' ? 'leakyrelu' : 'relu',
    leakySlope: LEAKY_SLOPE,
    upsample: 'transposed',
    kernelSize: 4,
    spectralNorm: false,
    dropout: 0,
    tanhOutput: true,
    init: 'normal',
  };
}

export function defaultDArch(arch: ModelArch): DArch {
  return {
    norm: arch === 'dcgan-dense' ? 'none' : 'batch',
    activation: 'leakyrelu',
    leakySlope: LEAKY_SLOPE,
    downsample: 'strided',
    kernelSize: 4,
    spectralNorm: false,
    minibatchStd: false,
    minibatchGroup: 4,
    init: 'normal',
  };
}

function checkModelSpec(spec: ModelSpec): void {
  const { arch, resolution, channels, latentDim, baseWidth } = spec;
  if (arch !== 'dcgan-dense' && arch !== 'dcgan-conv')
    throw new RangeError(`model.arch: unknown architecture "${String(arch)}"`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`model.channels must be 1 or 3, got ${channels}`);
  if (!Number.isInteger(latentDim) || latentDim < 1)
    throw new RangeError(`model.latentDim must be a positive integer, got ${latentDim}`);
  if (!Number.isInteger(baseWidth) || baseWidth < 1)
    throw new RangeError(`model.baseWidth must be a positive integer, got ${baseWidth}`);
  if (arch === 'dcgan-dense' && resolution !== 28)
    throw new RangeError(`model.resolution must be 28 for dcgan-dense, got ${resolution}`);
  if (arch === 'dcgan-conv' && !(resolution >= 16 && resolution <= 256 && (resolution & (resolution - 1)) === 0)) {
    throw new RangeError(`model.resolution must be a power of two from 16 to 256 for dcgan-conv, got ${resolution}`);
  }
  const c = spec.conditional;
  if (c && !(Number.isInteger(c.numClasses) && c.numClasses >= 2))
    throw new RangeError(`conditional.numClasses must be at least 2, got ${c.numClasses}`);
}

/**
 * Seeded kernel initializer, one stream per layer so adding a layer does not
 * reshuffle the others: N(0, 0.02) (DCGAN), or for init 'he' N(0, (gain/√fanIn)²)
 * (He et al. 2015), which keeps activations at unit scale through layers that
 * no normalization rescales. The fan-in is passed in, not read from the kernel
 * shape: tfjs's fan of a transposed conv's kernel counts its output channels.
 */
function kernelInit(seed: number, layer: string, init: InitName, fan: Fan) {
  const stddev = init === 'he' ? fan.gain / Math.sqrt(fan.fanIn) : INIT_STDDEV;
  return tf.initializers.randomNormal({ mean: 0, stddev, seed: deriveSeed(seed, `${layer}/kernel`) });
}

/** Inputs that reach one output of a layer, and the gain of the activation that follows it (1: none). */
interface Fan {
  fanIn: number;
  gain: number;
}

/** He et al.'s gain for ReLU or LeakyReLU of negative slope a: √(2 / (1 + a²)). */
function activationGain(kind: 'relu' | 'leakyrelu', slope: number): number {
  return Math.sqrt(2 / (1 + (kind === 'relu' ? 0 : slope * slope)));
}

/** Number of stride-2 steps between 4×4 and the output resolution. */
function upsamplingSteps(resolution: number): number {
  return Math.log2(resolution) - 2;
}

/** Filters at depth i of n (0 = the 4×4 end): base·2^(n-1-i), capped at 8× base. */
function widthAt(baseWidth: number, i: number, n: number): number {
  return baseWidth * Math.min(2 ** (n - 1 - i), MAX_WIDTH_MULTIPLIER);
}

/** One step of a network: a layer, and whether it also takes the one-hot labels. */
interface Step {
  layer: tf.layers.Layer;
  withLabels?: boolean;
}

/** Builds the layer list of one network, with the options of G or D. */
class Net {
  readonly steps: Step[] = [];
  constructor(
    private readonly seed: number,
    private readonly sn: boolean,
    private readonly init: InitName = 'normal',
  ) {}

  add(layer: tf.layers.Layer, withLabels = false): void {
    this.steps.push({ layer, withLabels });
  }

  /** A conv / transposed conv / dense layer, spectral-normalised when asked. */
  weighted(
    kind: 'Conv2D' | 'Conv2DTranspose' | 'Dense',
    name: string,
    cfg: {
      filters?: number;
      units?: number;
      kernelSize?: number;
      strides?: number;
      padding?: 'same' | 'valid';
      useBias?: boolean;
      inputShape?: number[];
    },
    fan: Fan,
  ): void {
    const useBias = cfg.useBias ?? true;
    if (this.sn) {
      const { inputShape, ...inner } = cfg;
      this.add(
        new GanLayers.GanSpectralNorm({
          layer: { className: kind, config: { ...inner, useBias } },
          initStddev: INIT_STDDEV,
          seed: deriveSeed(this.seed, `${name}/kernel`),
          ...(inputShape ? { inputShape } : {}),
        }),
      );
      return;
    }
    const common = { ...cfg, useBias, kernelInitializer: kernelInit(this.seed, name, this.init, fan) };
    if (kind === 'Dense') this.add(tf.layers.dense({ ...common, units: cfg.units! }));
    else if (kind === 'Conv2D')
      this.add(tf.layers.conv2d({ ...common, filters: cfg.filters!, kernelSize: cfg.kernelSize! }));
    else this.add(tf.layers.conv2dTranspose({ ...common, filters: cfg.filters!, kernelSize: cfg.kernelSize! }));
  }

  norm(kind: ConcreteNorm, name: string, conditionalBn = false): void {
    switch (kind) {
      case 'batch':
        if (conditionalBn) {
          this.add(
            new GanLayers.GanConditionalBatchNorm({
              momentum: BN_MOMENTUM,
              epsilon: BN_EPSILON,
              seed: deriveSeed(this.seed, `${name}/gamma`),
            }),
            true,
          );
        } else {
          this.add(
            tf.layers.batchNormalization({
              momentum: BN_MOMENTUM,
              epsilon: BN_EPSILON,
              gammaInitializer: tf.initializers.randomNormal({
                mean: 1,
                stddev: INIT_STDDEV,
                seed: deriveSeed(this.seed, `${name}/gamma`),
              }),
            }),
          );
        }
        return;
      case 'instance':
        this.add(new GanLayers.GanInstanceNorm({ epsilon: BN_EPSILON }));
        return;
      case 'layer':
        this.add(new GanLayers.GanLayerNorm({ epsilon: BN_EPSILON }));
        return;
      case 'pixel':
        this.add(new GanLayers.GanPixelNorm({}));
        return;
      case 'none':
        return;
    }
  }

  activation(kind: 'relu' | 'leakyrelu', slope: number): void {
    this.add(kind === 'relu' ? tf.layers.reLU() : tf.layers.leakyReLU({ alpha: slope }));
  }
}

/** Bias is redundant before a norm with its own shift (batch, instance, layer). */
const biasBefore = (norm: ConcreteNorm): boolean => norm === 'pixel' || norm === 'none';

export function buildGenerator(spec: ModelSpec, seed: number): tf.LayersModel {
  checkModelSpec(spec);
  const a: GArch = { ...defaultGArch(spec.arch), ...spec.g };
  const net = new Net(seed, a.spectralNorm, a.init);
  const cond = spec.conditional ?? null;
  const inDim = spec.latentDim + (cond ? cond.embedDim : 0);
  const cbn = cond !== null && cond.batchNorm;
  const hidden = (name: string) => {
    net.norm(a.norm, `${name}/bn`, cbn);
    net.activation(a.activation, a.leakySlope);
    if (a.dropout > 0) net.add(new GanLayers.GanNoiseDropout({ rate: a.dropout }));
  };
  const gain = activationGain(a.activation, a.leakySlope);
  /** ×2 resolution from `inputs` to `filters` channels; `last`: the image layer (no activation after it). */
  const up = (name: string, inputs: number, filters: number, useBias: boolean, last = false) => {
    const k = a.kernelSize;
    const g = last ? 1 : gain;
    switch (a.upsample) {
      case 'transposed':
        // A stride-2 transposed conv reaches each output with (k/2)² taps per input channel.
        net.weighted(
          'Conv2DTranspose',
          name,
          { filters, kernelSize: k, strides: 2, padding: 'same', useBias },
          { fanIn: (k * k * inputs) / 4, gain: g },
        );
        return;
      case 'nearest':
      case 'bilinear':
        net.add(tf.layers.upSampling2d({ size: [2, 2], interpolation: a.upsample }));
        net.weighted(
          'Conv2D',
          name,
          { filters, kernelSize: k, strides: 1, padding: 'same', useBias },
          { fanIn: k * k * inputs, gain: g },
        );
        return;
      case 'pixelshuffle':
        net.weighted(
          'Conv2D',
          name,
          { filters: filters * 4, kernelSize: k, strides: 1, padding: 'same', useBias },
          { fanIn: k * k * inputs, gain: g },
        );
        net.add(new GanLayers.GanDepthToSpace({ blockSize: 2 }));
        return;
    }
  };
  const inputShape = cond ? undefined : [spec.latentDim];
  const hiddenBias = biasBefore(a.norm);

  if (spec.arch === 'dcgan-dense') {
    // [z] → dense → [7·7·w] → (BN, act) → reshape [7,7,w] → up → [14,14,w/2] → norm, act → up → [28,28,C] → tanh
    const w = spec.baseWidth * 2;
    net.weighted(
      'Dense',
      'g0',
      { units: 7 * 7 * w, useBias: hiddenBias, ...(inputShape ? { inputShape } : {}) },
      { fanIn: inDim, gain },
    );
    if (a.norm === 'batch') {
      hidden('g0'); // the dcgan-28 layout: batch norm on the dense features, then reshape
      net.add(tf.layers.reshape({ targetShape: [7, 7, w] }));
    } else {
      net.add(tf.layers.reshape({ targetShape: [7, 7, w] }));
      hidden('g0');
    }
    up('g1', w, w / 2, hiddenBias);
    hidden('g1');
    up('g2', w / 2, spec.channels, true, true);
  } else {
    // [z] → reshape [1,1,z] → convT k4 valid → [4,4,w0] → (up → norm, act) × (n−1) → up → [R,R,C] → tanh
    const n = upsamplingSteps(spec.resolution);
    net.add(tf.layers.reshape({ targetShape: [1, 1, inDim], ...(inputShape ? { inputShape } : {}) }));
    // From a 1×1 map each output of the 4×4 kernel sees one tap per input channel.
    net.weighted(
      'Conv2DTranspose',
      'g0',
      {
        filters: widthAt(spec.baseWidth, 0, n),
        kernelSize: 4,
        strides: 1,
        padding: 'valid',
        useBias: hiddenBias,
      },
      { fanIn: inDim, gain },
    );
    hidden('g0');
    for (let i = 1; i < n; i++) {
      up(`g${i}`, widthAt(spec.baseWidth, i - 1, n), widthAt(spec.baseWidth, i, n), hiddenBias);
      hidden(`g${i}`);
    }
    up(`g${n}`, widthAt(spec.baseWidth, n - 1, n), spec.channels, true, true);
  }
  net.add(tf.layers.activation({ activation: a.tanhOutput ? 'tanh' : 'linear' }));

  if (!cond) return sequentialOf(net, 'generator');
  const z = tf.input({ shape: [spec.latentDim], name: 'z' });
  const labels = tf.input({ shape: [cond.numClasses], name: 'labels' });
  const embed = tf.layers
    .dense({
      units: cond.embedDim,
      useBias: false,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: deriveSeed(seed, 'embed') }),
    })
    .apply(labels) as tf.SymbolicTensor;
  const x = tf.layers.concatenate().apply([z, embed]) as tf.SymbolicTensor;
  return tf.model({ inputs: [z, labels], outputs: chain(net, x, labels), name: 'generator' });
}

export function buildDiscriminator(spec: ModelSpec, seed: number): tf.LayersModel {
  checkModelSpec(spec);
  const a: DArch = { ...defaultDArch(spec.arch), ...spec.d };
  const net = new Net(seed, a.spectralNorm, a.init);
  const cond = spec.conditional ?? null;
  const R = spec.resolution;
  const inputShape = cond ? undefined : [R, R, spec.channels];
  const hiddenBias = biasBefore(a.norm);
  const k = a.kernelSize;
  const gain = activationGain(a.activation, a.leakySlope);
  /** Channels of D's input: the image, and the label maps of a 'channels' conditional D. */
  const imageChannels = spec.channels + (cond?.discriminator === 'channels' ? cond.numClasses : 0);
  /** ÷2 resolution from `inputs` to `filters` channels (an activation follows). */
  const down = (name: string, inputs: number, filters: number, useBias: boolean, first = false) => {
    const shape = first && inputShape ? { inputShape } : {};
    const fan = { fanIn: k * k * inputs, gain };
    if (a.downsample === 'strided') {
      net.weighted('Conv2D', name, { filters, kernelSize: k, strides: 2, padding: 'same', useBias, ...shape }, fan);
    } else {
      net.weighted('Conv2D', name, { filters, kernelSize: k, strides: 1, padding: 'same', useBias, ...shape }, fan);
      net.add(new GanLayers.GanAvgPool2({}));
    }
  };
  const mbstdChannels = a.minibatchStd ? 1 : 0;
  const act = () => net.activation(a.activation, a.leakySlope);
  const mbstd = () => {
    if (a.minibatchStd) net.add(new GanLayers.GanMinibatchStd({ groupSize: a.minibatchGroup }));
  };
  const projection = cond?.discriminator === 'projection';

  if (spec.arch === 'dcgan-dense') {
    // [28,28,C] → down → [14,14,w] → act → down → [7,7,2w] → (norm) act → (mbstd) → flatten → dense → [1]
    const w = spec.baseWidth;
    down('d0', imageChannels, w, true, true);
    act();
    down('d1', w, w * 2, hiddenBias);
    net.norm(a.norm, 'd1/bn');
    act();
    mbstd();
    net.add(tf.layers.flatten());
    if (projection)
      net.add(new GanLayers.GanProjection({ seed: deriveSeed(seed, 'd2/kernel'), spectralNorm: a.spectralNorm }), true);
    else net.weighted('Dense', 'd2', { units: 1 }, { fanIn: 7 * 7 * (w * 2 + mbstdChannels), gain: 1 });
  } else {
    // [R,R,C] → down → [R/2,R/2,w] → act → (down → norm, act) × (n−1) → [4,4,·] → (mbstd) → conv k4 valid → [1,1,1] → flatten
    const n = upsamplingSteps(R);
    down('d0', imageChannels, widthAt(spec.baseWidth, n - 1, n), true, true);
    act();
    for (let i = 1; i < n; i++) {
      down(`d${i}`, widthAt(spec.baseWidth, n - i, n), widthAt(spec.baseWidth, n - 1 - i, n), hiddenBias);
      net.norm(a.norm, `d${i}/bn`);
      act();
    }
    mbstd();
    if (projection) {
      // A k4 valid conv over the 4×4 map is a dense layer on the flattened map: the projection head replaces it.
      net.add(tf.layers.flatten());
      net.add(
        new GanLayers.GanProjection({ seed: deriveSeed(seed, `d${n}/kernel`), spectralNorm: a.spectralNorm }),
        true,
      );
    } else {
      net.weighted(
        'Conv2D',
        `d${n}`,
        { filters: 1, kernelSize: 4, strides: 1, padding: 'valid' },
        { fanIn: 16 * (widthAt(spec.baseWidth, 0, n) + mbstdChannels), gain: 1 },
      );
      net.add(tf.layers.flatten());
    }
  }

  if (!cond) return sequentialOf(net, 'discriminator');
  const image = tf.input({ shape: [R, R, spec.channels], name: 'image' });
  const labels = tf.input({ shape: [cond.numClasses], name: 'labels' });
  let x: tf.SymbolicTensor = image;
  if (cond.discriminator === 'channels') {
    const maps = tf.layers
      .reshape({ targetShape: [R, R, cond.numClasses] })
      .apply(tf.layers.repeatVector({ n: R * R }).apply(labels)) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ axis: -1 }).apply([image, maps]) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: [image, labels], outputs: chain(net, x, labels), name: 'discriminator' });
}

function sequentialOf(net: Net, name: string): tf.Sequential {
  const model = tf.sequential({ name });
  for (const s of net.steps) model.add(s.layer);
  return model;
}

function chain(net: Net, input: tf.SymbolicTensor, labels: tf.SymbolicTensor): tf.SymbolicTensor {
  let x = input;
  for (const s of net.steps) x = s.layer.apply(s.withLabels ? [x, labels] : x) as tf.SymbolicTensor;
  return x;
}
