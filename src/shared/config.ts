/**
 * The one training-config schema. The engine, the CLI (`--config`, `--set`),
 * the run folder's `config.json` and the studio's forms all go through it, so a
 * value that passes here is a value the engine can run.
 *
 * Every option carries a description: what it does, and when it helps. The
 * studio shows it next to the field; `gan-studio config --schema` prints it.
 */
import { z } from 'zod';

export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const RESIZE_MODES = ['crop', 'pad', 'stretch'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

export const MODEL_ARCHS = ['dcgan-dense', 'dcgan-conv'] as const;
export type ModelArch = (typeof MODEL_ARCHS)[number];

export const LOSSES = ['nonsaturating', 'minimax'] as const;
export type LossName = (typeof LOSSES)[number];

const hexColor = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #ffffff');

export const DataConfigSchema = z
  .object({
    dir: z
      .string()
      .nullable()
      .default(null)
      .describe('Folder of training images, searched recursively. Empty: the bundled Fashion-MNIST demo set.'),
    resize: z
      .enum(RESIZE_MODES)
      .default('crop')
      .describe('How non-square images become square: centre crop (keeps scale), pad (keeps everything) or stretch (distorts).'),
    background: hexColor
      .default('#ffffff')
      .describe('Colour that transparent pixels and padding are composited onto.'),
    minSize: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('Images whose shorter side is below this many pixels are skipped as too small.'),
  })
  .strict();

export const ModelConfigSchema = z
  .object({
    arch: z
      .enum(MODEL_ARCHS)
      .default('dcgan-conv')
      .describe('dcgan-dense: a dense projection then two up-convolutions (28×28 only). dcgan-conv: the all-convolutional DCGAN for powers of two from 16 to 256.'),
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
    baseWidth: z
      .number()
      .int()
      .min(4)
      .max(1024)
      .default(64)
      .describe('Filters in the widest-resolution layer; the other layers scale from it. Halve it for speed, double it for capacity.'),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.arch === 'dcgan-dense' && m.resolution !== 28) {
      ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'arch dcgan-dense needs resolution 28' });
    }
    if (m.arch === 'dcgan-conv' && !isPowerOfTwoInRange(m.resolution, 16, 256)) {
      ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'arch dcgan-conv needs a power of two from 16 to 256' });
    }
  });

function optimizerSchema(net: 'G' | 'D') {
  return z
    .object({
      lr: z
        .number()
        .positive()
        .max(1)
        .default(2e-4)
        .describe(`Adam learning rate of ${net}. Giving D a larger rate than G (TTUR) often steadies training.`),
      beta1: z
        .number()
        .min(0)
        .max(0.999)
        .default(0.5)
        .describe(`Adam β1 of ${net}. 0.5 (DCGAN) damps the momentum that makes GANs oscillate.`),
      beta2: z
        .number()
        .min(0)
        .max(0.9999)
        .default(0.999)
        .describe(`Adam β2 of ${net}.`),
    })
    .strict();
}

export const EmaConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Keep an exponential moving average of G for samples and export. Smoother, better images at no training cost.'),
    decay: z.number().min(0).max(1).default(0.999).describe('EMA decay per step. Closer to 1 averages over more steps.'),
    startStep: z.number().int().min(0).default(0).describe('Step from which the EMA starts averaging; before it, the EMA copies G.'),
  })
  .strict();

export const TrainConfigSchema = z
  .object({
    name: z.string().regex(/^[\w.-]{1,64}$/, 'use letters, digits, dot, dash or underscore').default('run').describe('Run name, part of the run folder name.'),
    preset: z.string().default('custom').describe('The preset this config started from.'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0).describe('Seeds weights, noise and data order. Same seed, same backend: same run.'),
    backend: z.enum(BACKEND_NAMES).default('auto').describe('Compute backend. auto tries tensorflow-gpu, tensorflow, wasm, then cpu.'),
    steps: z.number().int().min(1).default(5000).describe('Training steps (one G update each).'),
    batchSize: z.number().int().min(1).max(4096).default(64).describe('Images per batch for D and G.'),
    loss: z.enum(LOSSES).default('nonsaturating').describe('nonsaturating: G maximises log D(G(z)), strong early gradients (default). minimax: the original saturating loss, for comparison.'),
    dSteps: z.number().int().min(1).max(20).default(1).describe('D updates per G update. More helps when D lags behind G.'),
    data: DataConfigSchema.default(() => DataConfigSchema.parse({})),
    model: ModelConfigSchema.default(() => ModelConfigSchema.parse({})),
    g: optimizerSchema('G').default(() => optimizerSchema('G').parse({})),
    d: optimizerSchema('D').default(() => optimizerSchema('D').parse({})),
    ema: EmaConfigSchema.default(() => EmaConfigSchema.parse({})),
    sampleEvery: z.number().int().min(0).default(100).describe('Save a sample grid from fixed noise every N steps (0: only at the end).'),
    checkpointEvery: z.number().int().min(0).default(500).describe('Save a checkpoint every N steps (0: only at the end).'),
    keepCheckpoints: z.number().int().min(1).default(3).describe('How many of the newest checkpoints to keep.'),
    gridSize: z.number().int().min(1).max(16).default(8).describe('Sample grids are gridSize × gridSize images.'),
  })
  .strict();

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
/** What a user may write: every field optional, nested objects partial. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

function isPowerOfTwoInRange(n: number, lo: number, hi: number): boolean {
  return n >= lo && n <= hi && (n & (n - 1)) === 0;
}
