// One file on purpose: the one config schema; every option and its cross-field checks read in one place.
/**
 * The one training-config schema. The engine, the CLI (`--config`, `--set`),
 * the run folder's `config.json` and the studio's forms all go through it, so a
 * value that passes here is a value the engine can run.
 *
 * Every option carries a description: what it does, and when it helps. The
 * studio shows it next to the field; `gan-studio config --schema` prints it.
 */
import { z } from 'zod';

export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const RESIZE_MODES = ['crop', 'pad', 'stretch'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

const MODEL_ARCHS = ['dcgan-dense', 'dcgan-conv', 'fastgan'] as const;
export type ModelArch = (typeof MODEL_ARCHS)[number];

export const LOSSES = ['nonsaturating', 'minimax', 'wgan', 'wgan-gp', 'hinge', 'lsgan', 'rpgan'] as const;
export type LossName = (typeof LOSSES)[number];

const OPTIMIZERS = ['auto', 'adam', 'rmsprop', 'sgd'] as const;

const NORMS = ['auto', 'batch', 'instance', 'layer', 'pixel', 'none'] as const;
type NormName = (typeof NORMS)[number];

const G_ACTIVATIONS = ['auto', 'relu', 'leakyrelu'] as const;
const D_ACTIVATIONS = ['leakyrelu', 'relu'] as const;
/** Weight initialisation of dcgan-dense / dcgan-conv layers. */
const INITS = ['normal', 'he'] as const;
export type InitName = (typeof INITS)[number];
const UPSAMPLES = ['transposed', 'nearest', 'bilinear', 'pixelshuffle'] as const;
export type UpsampleName = (typeof UPSAMPLES)[number];
const DOWNSAMPLES = ['strided', 'avgpool'] as const;
export type DownsampleName = (typeof DOWNSAMPLES)[number];

const PENALTIES = ['auto', 'none', 'wgan-gp', 'r1', 'r2', 'r1+r2'] as const;
export type PenaltyName = (typeof PENALTIES)[number];

const LABEL_SMOOTHING = ['none', 'constant', 'random'] as const;
const NOISE_DECAYS = ['linear', 'exponential', 'none'] as const;
const LATENT_DISTS = ['normal', 'uniform'] as const;
export type LatentDist = (typeof LATENT_DISTS)[number];
const CONDITIONAL_D = ['projection', 'channels'] as const;

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #ffffff');

const DataConfigSchema = z
  .object({
    dir: z
      .string()
      .nullable()
      .default(null)
      .describe('Folder of training images, searched recursively. Empty: the bundled Fashion-MNIST demo set.'),
    resize: z
      .enum(RESIZE_MODES)
      .default('crop')
      .describe(
        'How non-square images become square: centre crop (keeps scale), pad (keeps everything) or stretch (distorts).',
      ),
    background: hexColor.default('#ffffff').describe('Colour that transparent pixels and padding are composited onto.'),
    minSize: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('Images whose shorter side is below this many pixels are skipped as too small.'),
  })
  .strict();

const ModelConfigSchema = z
  .object({
    arch: z
      .enum(MODEL_ARCHS)
      .default('dcgan-conv')
      .describe(
        'dcgan-dense: a dense projection then two up-convolutions (28×28 only). dcgan-conv: the all-convolutional DCGAN for powers of two from 16 to 256. fastgan: FastGAN (Liu et al. 2021), G with skip-layer excitation and GLUs, D with reconstruction decoders, for powers of two from 64 to 256; it has its own layers, so the g.*/d.* layer options (norm, activation, upsample, downsample, kernelSize, spectralNorm, dropout, minibatchStd) do not apply.',
      ),
    resolution: z
      .number()
      .int()
      .default(64)
      .describe('Side of the square images, in pixels. Larger is slower and needs more data.'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(3)
      .describe('1 for grayscale, 3 for colour.'),
    latentDim: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(100)
      .describe('Size of the noise vector z fed to G. 100 is the DCGAN default; larger rarely helps small models.'),
    latentDist: z
      .enum(LATENT_DISTS)
      .default('normal')
      .describe(
        'Distribution of z: normal N(0, 1) (recommended: a spherical latent space interpolates well) or uniform in [-1, 1].',
      ),
    baseWidth: z
      .number()
      .int()
      .min(4)
      .max(1024)
      .default(64)
      .describe(
        'Filters in the widest-resolution layer; the other layers scale from it. Halve it for speed, double it for capacity.',
      ),
    reconstructionWeight: z
      .number()
      .min(0)
      .max(100)
      .default(1)
      .describe(
        "fastgan only: the weight of D's self-supervised reconstruction L1 (its decoders rebuild the real image and a random quarter of it) in D's loss. 1 is the paper's; more steadies D on tiny data sets at the cost of its real/fake score, 0 turns the reconstruction off.",
      ),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.arch !== 'fastgan' && m.reconstructionWeight !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['reconstructionWeight'],
        message: `model.reconstructionWeight weights fastgan's D reconstruction and applies to model.arch=fastgan only (this model is ${m.arch}): remove it, or set model.arch=fastgan`,
      });
    }
    if (m.arch === 'dcgan-dense' && m.resolution !== 28) {
      ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'arch dcgan-dense needs resolution 28' });
    }
    if (m.arch === 'dcgan-conv' && !isPowerOfTwoInRange(m.resolution, 16, 256)) {
      ctx.addIssue({
        code: 'custom',
        path: ['resolution'],
        message: 'arch dcgan-conv needs a power of two from 16 to 256',
      });
    }
    if (m.arch === 'fastgan' && !isPowerOfTwoInRange(m.resolution, 64, 256)) {
      ctx.addIssue({
        code: 'custom',
        path: ['resolution'],
        message: `arch fastgan needs a power of two from 64 to 256, got ${m.resolution}`,
      });
    }
  });

/** Optimizer options, shared by G and D. */
function optimizerFields(net: 'G' | 'D') {
  return {
    optimizer: z
      .enum(OPTIMIZERS)
      .default('auto')
      .describe(
        `Optimizer of ${net}. auto: RMSProp for loss=wgan (as in the WGAN paper, momentum-free so weight clipping stays stable), Adam otherwise. SGD is unstable for GANs (it oscillates around the saddle point); use it only to compare.`,
      ),
    lr: z
      .number()
      .positive()
      .max(1)
      .default(2e-4)
      .describe(
        `Learning rate of ${net}. Giving D a larger rate than G (TTUR, e.g. d.lr=0.0004, g.lr=0.0001) often steadies training. WGAN with clipping wants about 0.00005.`,
      ),
    beta1: z
      .number()
      .min(0)
      .max(0.999)
      .default(0.5)
      .describe(
        `Adam β1 of ${net}. 0.5 (DCGAN) damps the momentum that makes GANs oscillate; WGAN-GP and SNGAN use 0.`,
      ),
    beta2: z
      .number()
      .min(0)
      .max(0.9999)
      .default(0.999)
      .describe(`Adam β2 of ${net}. 0.9 with β1=0 for WGAN-GP and SNGAN.`),
    rho: z
      .number()
      .min(0)
      .max(0.9999)
      .default(0.99)
      .describe(`RMSProp decay of the squared-gradient average of ${net} (PyTorch's alpha).`),
    momentum: z.number().min(0).max(0.999).default(0).describe(`SGD momentum of ${net} (0: plain SGD).`),
  };
}

function spectralNormField(net: 'G' | 'D', dflt: boolean) {
  return z
    .boolean()
    .default(dflt)
    .describe(
      net === 'D'
        ? 'Spectral normalization of every D layer (power iteration, one step per forward pass, with a persistent u vector): makes D 1-Lipschitz, the most reliable single stabiliser (SNGAN). Best with d.norm=none.'
        : 'Spectral normalization of every G layer too (SAGAN, BigGAN): steadies G on hard data sets; costs a little speed.',
    );
}

/** G's and D's normalization: the same choices and default, each net's own text. */
function normField(description: string) {
  return z.enum(NORMS).default('auto').describe(description);
}

/** G's and D's LeakyReLU slope: the same range and default, each net's own text. */
function leakySlopeField(description: string) {
  return z.number().min(0).max(1).default(0.2).describe(description);
}

function kernelSizeField(net: 'G' | 'D') {
  return z
    .number()
    .int()
    .min(2)
    .max(7)
    .default(4)
    .describe(
      `Kernel size of ${net}'s resolution-changing convolutions. 4 (DCGAN) divides evenly with stride 2 and avoids checkerboard artefacts; 3 is cheaper.`,
    );
}

const GeneratorConfigSchema = z
  .object({
    ...optimizerFields('G'),
    norm: normField(
      'Normalization after each hidden G layer. auto: batch (DCGAN). instance or layer: per-image, no batch coupling. pixel: PGGAN pixel norm, no parameters. none. With labels, batch becomes conditional batch norm (see conditional.batchNorm).',
    ),
    activation: z
      .enum(G_ACTIVATIONS)
      .default('auto')
      .describe(
        'Hidden activation of G. auto: ReLU in dcgan-conv (DCGAN), LeakyReLU in dcgan-dense. LeakyReLU avoids sparse gradients.',
      ),
    leakySlope: leakySlopeField('Negative slope of LeakyReLU in G.'),
    upsample: z
      .enum(UPSAMPLES)
      .default('transposed')
      .describe(
        'How G doubles the resolution: transposed convolution (DCGAN), nearest or bilinear upsampling then a convolution (fewer checkerboard artefacts), or pixelshuffle (a convolution to 4× channels, then depth-to-space).',
      ),
    kernelSize: kernelSizeField('G'),
    init: z
      .enum(INITS)
      .default('normal')
      .describe(
        "Initial weights of G's layers (dcgan-dense and dcgan-conv). normal: N(0, 0.02), as DCGAN (right with batch norm, which rescales each layer). he: N(0, gain²/fan-in) per layer (He et al. 2015), which keeps the signal at unit scale through a net without normalization; with N(0, 0.02) such a net starts with outputs near 0 that hardly depend on its input.",
      ),
    spectralNorm: spectralNormField('G', false),
    dropout: z
      .number()
      .min(0)
      .max(0.9)
      .default(0)
      .describe(
        'Dropout after each hidden G layer, at training AND sampling time, as a source of noise (the pix2pix trick; 0.5 there). 0: off. Samples then vary even for a fixed z.',
      ),
    tanhOutput: z
      .boolean()
      .default(true)
      .describe(
        'End G with tanh so images lie in [-1, 1] like the data (recommended). Off: a linear output, clipped only when images are saved.',
      ),
  })
  .strict();

const DiscriminatorConfigSchema = z
  .object({
    ...optimizerFields('D'),
    norm: normField(
      'Normalization after each hidden D layer (not the first). auto: batch in dcgan-conv (DCGAN), none in dcgan-dense, and layer norm when a gradient penalty is on (a penalty is per-sample; batch norm mixes samples). instance, layer, pixel, none.',
    ),
    activation: z
      .enum(D_ACTIVATIONS)
      .default('leakyrelu')
      .describe(
        'Hidden activation of D. LeakyReLU (recommended) keeps gradients flowing to G where ReLU would cut them.',
      ),
    leakySlope: leakySlopeField('Negative slope of LeakyReLU in D (0.2 in DCGAN, 0.1 in SNGAN).'),
    downsample: z
      .enum(DOWNSAMPLES)
      .default('strided')
      .describe(
        'How D halves the resolution: strided convolution (DCGAN) or a stride-1 convolution then 2×2 average pooling. Both avoid the sparse gradients of max pooling.',
      ),
    kernelSize: kernelSizeField('D'),
    init: z
      .enum(INITS)
      .default('normal')
      .describe(
        "Initial weights of D's layers (dcgan-dense and dcgan-conv). normal: N(0, 0.02), as DCGAN (right with batch norm, which rescales each layer). he: N(0, gain²/fan-in) per layer (He et al. 2015), which keeps the signal at unit scale through a net without normalization; with N(0, 0.02) such a net starts with outputs near 0 that hardly depend on its input.",
      ),
    spectralNorm: spectralNormField('D', false),
    minibatchStd: z
      .boolean()
      .default(false)
      .describe(
        "Minibatch standard deviation layer before D's last layer (PGGAN): appends the average spread of features across the batch as an extra channel, so D can spot a G that makes too little variety (mode collapse).",
      ),
    minibatchGroup: z
      .number()
      .int()
      .min(2)
      .max(64)
      .default(4)
      .describe('Group size of the minibatch stddev layer (4 in StyleGAN); the batch size must be a multiple of it.'),
  })
  .strict();

const PenaltyConfigSchema = z
  .object({
    type: z
      .enum(PENALTIES)
      .default('auto')
      .describe(
        'Gradient penalty on D (needs a gradient of a gradient). wgan-gp: (‖∇D(x̂)‖ − 1)² on random interpolates of real and fake (WGAN-GP). r1: ‖∇D(x)‖² on reals, 0-centred (Mescheder et al. 2018): a strong stabiliser for non-saturating GANs. r2: the same on fakes. r1+r2: both. auto: wgan-gp when loss=wgan-gp, none otherwise.',
      ),
    weight: z
      .number()
      .min(0)
      .max(1000)
      .default(10)
      .describe(
        'Penalty weight: λ for wgan-gp (10 in the paper), γ for r1/r2 (the penalty is γ/2·E‖∇D‖²; 10 for faces at 256², 0.1–1 for small images).',
      ),
    every: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe(
        'Lazy regularization (StyleGAN2): apply the penalty only every k-th D update, scaled by k. 1: every update; 4–16 saves most of its cost.',
      ),
  })
  .strict();

const LabelTricksSchema = z
  .object({
    smoothing: z
      .enum(LABEL_SMOOTHING)
      .default('none')
      .describe(
        "One-sided label smoothing of D's real targets (fakes stay 0): constant uses labels.real (0.9); random draws each real target uniformly from [labels.realMin, labels.realMax] (0.7–1.2 from ganhacks, or 0.9–1.1). Keeps D from growing over-confident. Losses minimax, nonsaturating and lsgan.",
      ),
    real: z.number().min(0.5).max(1).default(0.9).describe('Real target for constant smoothing.'),
    realMin: z.number().min(0.5).max(1.5).default(0.7).describe('Low end of the random real target.'),
    realMax: z.number().min(0.5).max(1.5).default(1.2).describe('High end of the random real target.'),
    flip: z
      .number()
      .min(0)
      .max(0.5)
      .default(0)
      .describe(
        'Probability of swapping the real and fake targets of each D sample (occasional label flipping, ganhacks): a little noise that stops D winning outright. 0.05 is typical. Losses minimax, nonsaturating and lsgan.',
      ),
  })
  .strict();

const InstanceNoiseSchema = z
  .object({
    sigma: z
      .number()
      .min(0)
      .max(2)
      .default(0)
      .describe(
        'Instance noise: Gaussian noise of this standard deviation added to every image D sees (real and fake), so the two distributions overlap and D cannot separate them perfectly early on. 0: off; 0.1–0.5 is typical.',
      ),
    decay: z
      .enum(NOISE_DECAYS)
      .default('linear')
      .describe(
        'How σ falls to 0 over instanceNoise.steps: linear, exponential (σ·100^(−t/steps), 1% at the end, then 0), or none (constant).',
      ),
    steps: z.number().int().min(1).default(10000).describe('Steps over which the instance noise decays to 0.'),
  })
  .strict();

const AugmentConfigSchema = z
  .object({
    translation: z
      .boolean()
      .default(false)
      .describe(
        'DiffAugment translation: shift each image by up to 1/8 of its size, zero-filled. Applied to reals and fakes alike, differentiably, before D.',
      ),
    cutout: z.boolean().default(false).describe('DiffAugment cutout: blank a random square of half the image side.'),
    color: z.boolean().default(false).describe('DiffAugment colour: random brightness, saturation and contrast.'),
    probability: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'Probability that each image gets each augmentation (DiffAugment uses 1). With augment.ada, the starting value.',
      ),
    ada: z
      .boolean()
      .default(false)
      .describe(
        'ADA-style adaptive probability: raise p while D is over-confident on reals (E[sign D(x)] above augment.adaTarget), lower it otherwise. For small data sets; p is saved in checkpoints.',
      ),
    adaTarget: z
      .number()
      .min(0)
      .max(1)
      .default(0.6)
      .describe('Target of E[sign D(real)] for the adaptive probability (0.6 in ADA).'),
    adaSpeed: z
      .number()
      .int()
      .min(1)
      .default(500000)
      .describe(
        'Images after which the adaptive probability can move from 0 to 1 (500k in ADA). Smaller reacts faster.',
      ),
  })
  .strict();

const ConditionalConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Class-conditional GAN: the data set's class subfolders become labels given to G and D, samples are drawn per class, and generation can pick a class. Needs at least 2 classes.",
      ),
    numClasses: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(0)
      .describe(
        "Number of classes. 0: taken from the data set when the run starts (then written into the run's config).",
      ),
    embedDim: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(16)
      .describe("Size of the learned label embedding concatenated to z at G's input."),
    discriminator: z
      .enum(CONDITIONAL_D)
      .default('projection')
      .describe(
        "How D sees the label: projection (Miyato & Koyama 2018: an inner product of a class embedding with D's features, recommended) or channels (one-hot label maps concatenated to the image).",
      ),
    batchNorm: z
      .boolean()
      .default(true)
      .describe(
        "Conditional batch norm in G: class-specific scale and shift after each batch norm (when G's norm is batch).",
      ),
  })
  .strict();

const EmaConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Keep an exponential moving average of G for samples and export. Smoother, better images at no training cost.',
      ),
    decay: z
      .number()
      .min(0)
      .max(1)
      .default(0.999)
      .describe('EMA decay per step. Closer to 1 averages over more steps.'),
    startStep: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Step from which the EMA starts averaging; before it, the EMA copies G.'),
    warmup: z
      .boolean()
      .default(true)
      .describe(
        'Ramp the decay up as min(decay, (1+t)/(10+t)) over the t steps since startStep, so early samples show what G has learnt instead of its random start. Turn off only to reproduce a fixed-decay EMA.',
      ),
    bnStats: z
      .enum(['copy', 'recompute'])
      .default('copy')
      .describe(
        "Where G-EMA's batch-norm statistics come from. copy: G's running statistics, as StyleGAN does with buffers. recompute: from G-EMA's own training-mode passes over 1,024 fixed latents before each sample grid, evaluation and checkpoint (torch's swa_utils.update_bn for averaged weights; about one training step's time each). G's statistics belong to G's weights, not to their average; recomputing fixed one Fashion-MNIST run whose statistics misfit badly, but was slightly worse on others (bench/README.md). No effect on a G without batch norm.",
      ),
  })
  .strict();

const RecoveryConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Recover from divergence by itself: when a loss or a weight turns NaN or Inf, or a gradient norm stays above recovery.gradNormLimit for recovery.gradNormSteps steps, roll back to the last good checkpoint, multiply both learning rates by recovery.lrFactor, draw fresh noise, and continue (at most recovery.maxRollbacks times). Off: the run stops at the first NaN.',
      ),
    maxRollbacks: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(3)
      .describe('Rollbacks a run may make before it gives up and stops as failed.'),
    lrFactor: z
      .number()
      .positive()
      .max(1)
      .default(0.5)
      .describe(
        'Both learning rates are multiplied by this at each rollback (0.5: halved). The factor so far is saved in checkpoints.',
      ),
    gradNormLimit: z
      .number()
      .positive()
      .default(10000)
      .describe('A gradient norm (of D or G) above this counts as exploding. Healthy DCGAN norms are well below 100.'),
    gradNormSteps: z
      .number()
      .int()
      .min(1)
      .max(10000)
      .default(20)
      .describe(
        'Consecutive steps with an exploding gradient norm that trigger a rollback (one spike is not divergence).',
      ),
  })
  .strict();

const MetricsConfigSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Live quality metrics that need no downloaded weights: multi-scale SWD (PGGAN) of EMA-generator samples against held-out real images, KID and diversity in the features of fixed-seed random conv nets. Written to metrics.jsonl at step 0, every metrics.every steps and at the end.',
      ),
    every: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe(
        'Evaluate every N steps (0: only at the start and the end of the run). A due evaluation waits while the last one cost more than metrics.budget of the training time.',
      ),
    samples: z
      .number()
      .int()
      .min(16)
      .max(4096)
      .default(256)
      .describe(
        'Generated images per evaluation. More gives steadier numbers (the SWD of two disjoint real sets of 256 is its noise floor) at a proportional cost.',
      ),
    holdout: z
      .number()
      .min(0.01)
      .max(0.5)
      .default(0.1)
      .describe(
        'Share of the data set held out from training when a run starts, as the unseen reals the metrics compare with (at most metrics.maxHoldout images). Recorded in the run (heldout.json) so resume keeps the same split. Data sets under 200 images are not split: the metrics then compare with the training images, and say so.',
      ),
    maxHoldout: z.number().int().min(10).max(20000).default(2000).describe('Most images held out for the metrics.'),
    budget: z
      .number()
      .min(0.01)
      .max(1)
      .default(0.1)
      .describe(
        'Largest share of wall time evaluations may take: an evaluation that is due is postponed until the training time since the last one is at least its cost ÷ budget. The cost of each is in metrics.jsonl ("seconds").',
      ),
  })
  .strict();

export const TrainConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[\w.-]{1,64}$/, 'use letters, digits, dot, dash or underscore')
      .default('run')
      .describe('Run name, part of the run folder name.'),
    preset: z.string().default('custom').describe('The preset this config started from.'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0)
      .describe('Seeds weights, noise and data order. Same seed, same backend: same run.'),
    backend: z
      .enum(BACKEND_NAMES)
      .default('auto')
      .describe(
        'Compute backend. auto tries tensorflow-gpu, webgpu (a real GPU only, never a CPU emulation), tensorflow, wasm, then cpu.',
      ),
    threads: z
      .number()
      .int()
      .min(0)
      .max(256)
      .default(0)
      .describe(
        "CPU threads for the wasm backend (XNNPACK's thread pool inside each convolution and matrix product; results are bit-identical for any count, so it may change on resume). 0: all physical cores, resolved when the run starts and recorded in config.json. Native backends choose their own threads.",
      ),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe(
        "Data-parallel replicas on the wasm backend: N single-threaded engines (worker threads), each training on 1/N of the batch, the mean of their gradients applied by all. Scales with cores better than threads, but BatchNorm then normalises over each replica's B/N images, so results depend on N (deterministic for a seed and N) and it cannot change on resume. 1: off. batchSize must split evenly.",
      ),
    steps: z
      .number()
      .int()
      .min(1)
      .default(5000)
      .describe('Training steps (iterations: dSteps D updates and gSteps G updates each).'),
    batchSize: z.number().int().min(1).max(4096).default(64).describe('Images per batch for D and G.'),
    loss: z
      .enum(LOSSES)
      .default('nonsaturating')
      .describe(
        'GAN loss. nonsaturating: G maximises log D(G(z)), strong early gradients (default). minimax: the original saturating loss, for comparison. wgan: Wasserstein critic with weight clipping (RMSProp by default, several dSteps). wgan-gp: Wasserstein with a gradient penalty (λ=10 by default). hinge: SNGAN/BigGAN hinge loss, best with spectral norm. lsgan: least squares, smoother gradients than BCE. rpgan: the relativistic pairing loss of R3GAN (Huang et al. 2024): D minimises softplus(−(D(x) − D(G(z)))) over pairs of a real and a fake, G the mirror image (its step sees a real batch too); with penalty.type=r1+r2 it converges locally (the rpgan preset).',
      ),
    weightClip: z
      .number()
      .positive()
      .max(1)
      .default(0.01)
      .describe('loss=wgan only: after each D update every D weight is clipped to [−c, c] (0.01 in the WGAN paper).'),
    penalty: PenaltyConfigSchema.default(() => PenaltyConfigSchema.parse({})),
    dSteps: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe('D updates per iteration. More helps when D lags behind G (5 for WGAN).'),
    gSteps: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(1)
      .describe('G updates per iteration. More helps when D wins too easily.'),
    labels: LabelTricksSchema.default(() => LabelTricksSchema.parse({})),
    instanceNoise: InstanceNoiseSchema.default(() => InstanceNoiseSchema.parse({})),
    augment: AugmentConfigSchema.default(() => AugmentConfigSchema.parse({})),
    conditional: ConditionalConfigSchema.default(() => ConditionalConfigSchema.parse({})),
    data: DataConfigSchema.default(() => DataConfigSchema.parse({})),
    model: ModelConfigSchema.default(() => ModelConfigSchema.parse({})),
    g: GeneratorConfigSchema.default(() => GeneratorConfigSchema.parse({})),
    d: DiscriminatorConfigSchema.default(() => DiscriminatorConfigSchema.parse({})),
    ema: EmaConfigSchema.default(() => EmaConfigSchema.parse({})),
    metrics: MetricsConfigSchema.default(() => MetricsConfigSchema.parse({})),
    recovery: RecoveryConfigSchema.default(() => RecoveryConfigSchema.parse({})),
    sampleEvery: z
      .number()
      .int()
      .min(0)
      .default(100)
      .describe('Save a sample grid from fixed noise every N steps (0: only at the end).'),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(500)
      .describe('Save a checkpoint every N steps (0: only at the end).'),
    keepCheckpoints: z.number().int().min(1).default(3).describe('How many of the newest checkpoints to keep.'),
    gridSize: z.number().int().min(1).max(16).default(8).describe('Sample grids are gridSize × gridSize images.'),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const issue of configConflicts(c)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
/** What a user may write: every field optional, nested objects partial. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

function isPowerOfTwoInRange(n: number, lo: number, hi: number): boolean {
  return n >= lo && n <= hi && (n & (n - 1)) === 0;
}

interface ConfigConflict {
  path: (string | number)[];
  message: string;
}

/** The penalty a config really applies ('auto' resolved). */
export function effectivePenalty(c: { loss: LossName; penalty: { type: PenaltyName } }): Exclude<PenaltyName, 'auto'> {
  if (c.penalty.type !== 'auto') return c.penalty.type;
  return c.loss === 'wgan-gp' ? 'wgan-gp' : 'none';
}

/** The fields configConflicts reads (a structural type: the schema's own type would be circular here). */
type ConflictInput = {
  model: { arch: ModelArch };
  loss: LossName;
  penalty: { type: PenaltyName; weight: number; every: number };
  d: { norm: NormName; minibatchStd: boolean; minibatchGroup: number };
  labels: { smoothing: string; realMin: number; realMax: number; flip: number };
  batchSize: number;
  conditional: { enabled: boolean; numClasses: number };
  augment: { ada: boolean; translation: boolean; cutout: boolean; color: boolean };
};

/** Combinations that cannot work, each naming its options. The schema rejects them. */
function configConflicts(c: ConflictInput): ConfigConflict[] {
  const out: ConfigConflict[] = [];
  const penalty = effectivePenalty(c);
  if (penalty !== 'none' && c.d.norm === 'batch') {
    out.push({
      path: ['d', 'norm'],
      message: `batch norm in D cannot be combined with a gradient penalty (penalty.type=${penalty}${c.penalty.type === 'auto' ? ` via loss=${c.loss}` : ''}): the penalty is per-sample, and batch norm makes each sample's gradient depend on the whole batch. Use d.norm=layer (or leave d.norm=auto, which picks layer norm), instance or none`,
    });
  }
  if (c.loss === 'wgan' && penalty === 'wgan-gp') {
    out.push({
      path: ['penalty', 'type'],
      message: 'loss=wgan clips weights; for the gradient-penalty variant use loss=wgan-gp',
    });
  }
  if (
    (c.loss === 'wgan' || c.loss === 'wgan-gp' || c.loss === 'hinge' || c.loss === 'rpgan') &&
    (c.labels.smoothing !== 'none' || c.labels.flip > 0)
  ) {
    out.push({
      path: ['labels', c.labels.smoothing !== 'none' ? 'smoothing' : 'flip'],
      message: `label smoothing and flipping change the targets of a BCE or least-squares D; loss=${c.loss} has no targets. Use loss=nonsaturating, minimax or lsgan, or turn labels.smoothing/labels.flip off`,
    });
  }
  if (c.labels.realMin > c.labels.realMax) {
    out.push({
      path: ['labels', 'realMin'],
      message: `labels.realMin (${c.labels.realMin}) is above labels.realMax (${c.labels.realMax})`,
    });
  }
  if (c.d.minibatchStd && c.batchSize % Math.min(c.d.minibatchGroup, c.batchSize) !== 0) {
    out.push({
      path: ['d', 'minibatchGroup'],
      message: `batchSize (${c.batchSize}) must be a multiple of d.minibatchGroup (${c.d.minibatchGroup}) for the minibatch stddev layer`,
    });
  }
  if (c.augment.ada && !(c.augment.translation || c.augment.cutout || c.augment.color)) {
    out.push({
      path: ['augment', 'ada'],
      message:
        'augment.ada adapts the probability of augmentations, but none is on: set augment.translation, augment.cutout or augment.color',
    });
  }
  if (c.model.arch === 'fastgan' && penalty !== 'none') {
    out.push({
      path: ['penalty', 'type'],
      message: `model.arch=fastgan has batch norm in D, which cannot be combined with a gradient penalty (penalty.type=${penalty}${c.penalty.type === 'auto' ? ` via loss=${c.loss}` : ''}); its D is steadied by reconstruction instead: set penalty.type=none`,
    });
  }
  if (c.model.arch === 'fastgan' && c.conditional.enabled) {
    out.push({
      path: ['conditional', 'enabled'],
      message: 'model.arch=fastgan is unconditional: set conditional.enabled=false, or use model.arch=dcgan-conv',
    });
  }
  if (c.conditional.enabled && c.conditional.numClasses === 1) {
    out.push({ path: ['conditional', 'numClasses'], message: 'a conditional GAN needs at least 2 classes' });
  }
  return out;
}
