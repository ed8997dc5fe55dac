/**
 * Named starting points. A preset is a partial config; the schema fills in
 * the rest, then a config file and `--set` override it.
 */
import type { TrainConfigInput } from '../../shared/config';

export const PRESETS = {
  /** 1×28×28 grayscale, dense stem: small, quick, made for the Fashion-MNIST demo. */
  'dcgan-28': {
    model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 100, baseWidth: 64 },
  },
  /** 3×64×64 colour, Radford et al.'s DCGAN with base width 64. */
  'dcgan-64': {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 100, baseWidth: 64 },
  },
  /**
   * Recipe: the DCGAN paper as written (Radford et al. 2015): 3×64×64, batch 128,
   * Adam 2e-4 β1 0.5, batch norm, ReLU/LeakyReLU 0.2, transposed convolutions,
   * the non-saturating loss, no EMA. The baseline to compare every trick against.
   */
  'dcgan-classic': {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 100, baseWidth: 64 },
    loss: 'nonsaturating',
    batchSize: 128,
    g: { optimizer: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, norm: 'batch', upsample: 'transposed' },
    d: { optimizer: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999, norm: 'batch', downsample: 'strided' },
    ema: { enabled: false },
  },
  /**
   * Recipe: WGAN-GP (Gulrajani et al. 2017): Wasserstein critic, 1-centred
   * gradient penalty λ=10 on interpolates, 5 critic updates per G update,
   * Adam 1e-4 β=(0, 0.9), layer norm in D (batch norm would break the penalty).
   */
  'wgan-gp': {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 128, baseWidth: 64 },
    loss: 'wgan-gp',
    penalty: { type: 'wgan-gp', weight: 10, every: 1 },
    dSteps: 5,
    g: { optimizer: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9, norm: 'batch' },
    d: { optimizer: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9, norm: 'layer' },
    ema: { enabled: true, decay: 0.999 },
  },
  /**
   * Recipe: SNGAN with the hinge loss (Miyato et al. 2018): spectral norm on
   * every D layer and no other norm in D, LeakyReLU 0.1, TTUR (D 4e-4, G 1e-4),
   * Adam β=(0, 0.9), nearest-neighbour upsampling in G.
   */
  'sngan-hinge': {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 128, baseWidth: 64 },
    loss: 'hinge',
    g: { optimizer: 'adam', lr: 1e-4, beta1: 0, beta2: 0.9, norm: 'batch', upsample: 'nearest', kernelSize: 3 },
    d: {
      optimizer: 'adam',
      lr: 4e-4,
      beta1: 0,
      beta2: 0.9,
      norm: 'none',
      spectralNorm: true,
      leakySlope: 0.1,
      kernelSize: 4,
    },
    ema: { enabled: true, decay: 0.999 },
  },
  /**
   * Recipe: small data sets (100–2,000 images): DiffAugment (translation,
   * cutout, colour; probability 1 as in DiffAugment) on reals and fakes,
   * lazy R1 (γ=1, every 4th D update), no norm in D, EMA of G. Augmentation
   * stops D from memorising the few real images; R1 and EMA steady the rest.
   */
  'small-dataset': {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 128, baseWidth: 32 },
    loss: 'nonsaturating',
    batchSize: 32,
    penalty: { type: 'r1', weight: 1, every: 4 },
    augment: { translation: true, cutout: true, color: true, probability: 1 },
    g: { optimizer: 'adam', lr: 2e-4, beta1: 0, beta2: 0.99, norm: 'batch' },
    d: { optimizer: 'adam', lr: 2e-4, beta1: 0, beta2: 0.99, norm: 'none' },
    ema: { enabled: true, decay: 0.999, startStep: 100 },
  },
  /**
   * Recipe: R3GAN's objective (Huang et al. 2024) with a plain D: the
   * relativistic pairing loss with both 0-centred penalties (R1 on reals, R2
   * on fakes; γ=1, lazily every 4th D update), D without normalization, of
   * strided convolutions (no pooling or resizing in D: tfjs 4.22 lacks their
   * second-order gradients) and He-initialised (with DCGAN's N(0, 0.02) an
   * unnormalized D starts with scores ~3e-5), Adam β=(0, 0.99), DiffAugment
   * and EMA as in small-dataset. The penalties constrain D only, so G is
   * small-dataset's DCGAN G (batch norm, transposed 4×4 convs, N(0, 0.02)):
   * on 400 tuxpaint stamps at 600 CPU-s it scored SWD 83.5 where R3GAN's
   * unnormalized G (nearest + 3×3 convs, He init) scored 120.0, at 1.13
   * against 1.50 CPU-s per step (bench/README.md, session 7). Batch 16 (a
   * step costs 0.65× small-dataset's, so the same CPU buys 1.54× the steps)
   * and Adam 3e-4 for both nets: at equal CPU (685 steps against
   * small-dataset's 445) it scored 0.66× small-dataset's SWD on each of two
   * seeds, where batch 16 at 2e-4 scored 0.83× (seed 1; bench/README.md,
   * session 9).
   */
  rpgan: {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 128, baseWidth: 32 },
    loss: 'rpgan',
    batchSize: 16,
    penalty: { type: 'r1+r2', weight: 1, every: 4 },
    augment: { translation: true, cutout: true, color: true, probability: 1 },
    g: { optimizer: 'adam', lr: 3e-4, beta1: 0, beta2: 0.99, norm: 'batch', upsample: 'transposed', kernelSize: 4 },
    d: { optimizer: 'adam', lr: 3e-4, beta1: 0, beta2: 0.99, norm: 'none', downsample: 'strided', init: 'he' },
    ema: { enabled: true, decay: 0.999, startStep: 100 },
  },
  /**
   * Recipe: FastGAN (Liu et al., ICLR 2021; the recipe behind lightweight-gan)
   * for 100–1,000 images: G with skip-layer excitation and GLUs, BN; D with
   * two small decoders that reconstruct the real image (whole, at half size)
   * and a random quarter of it, an L1 reconstruction loss (no LPIPS: it needs
   * downloaded weights), the hinge loss, DiffAugment (colour, translation,
   * cutout) and EMA. Adam 2e-4, β=(0.5, 0.999), batch 8 in the paper; 16 here.
   */
  fastgan: {
    model: { arch: 'fastgan', resolution: 64, channels: 3, latentDim: 128, baseWidth: 32 },
    loss: 'hinge',
    batchSize: 16,
    penalty: { type: 'none' },
    augment: { translation: true, cutout: true, color: true, probability: 1 },
    g: { optimizer: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999 },
    d: { optimizer: 'adam', lr: 2e-4, beta1: 0.5, beta2: 0.999 },
    ema: { enabled: true, decay: 0.999, startStep: 100 },
  },
} as const satisfies Record<string, TrainConfigInput>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
