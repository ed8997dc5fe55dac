/**
 * What each preset is and when to use it, in the README's words ("Recipes"
 * table), for the studio's preset picker; and the rule that suggests a preset
 * from a data set's facts. Plain data, no zod: the renderer imports it.
 */

export interface PresetGuide {
  /** What the preset is: the model and the training tricks. */
  what: string;
  /** When it is the right starting point. */
  when: string;
}

export const PRESET_GUIDE: Readonly<Record<string, PresetGuide>> = {
  'dcgan-28': {
    what: '1×28×28 grayscale, a dense stem into transposed convolutions; small and quick.',
    when: 'the Fashion-MNIST demo set and other small grayscale images at 28 px.',
  },
  'dcgan-64': {
    what: '3×64×64 colour, the classic DCGAN layout.',
    when: 'a first run on your own colour images.',
  },
  'dcgan-classic': {
    what: "Radford et al.'s DCGAN as published: 3×64×64, batch 128, Adam 2e-4 β1 0.5, batch norm, transposed convolutions, non-saturating loss, no EMA.",
    when: 'the baseline to compare every trick against.',
  },
  'wgan-gp': {
    what: 'Wasserstein loss with the gradient penalty (λ = 10) on real/fake interpolates, 5 critic steps per G step, Adam 1e-4 β = (0, 0.9), layer norm in D.',
    when: 'stable training with a loss that tracks quality; slower per step.',
  },
  'sngan-hinge': {
    what: 'hinge loss, spectral norm on every D layer, LeakyReLU 0.1, TTUR (D 4e-4, G 1e-4), Adam β = (0, 0.9), nearest-neighbour upsampling + 3×3 convs in G, EMA.',
    when: 'a strong general default for colour images.',
  },
  'small-dataset': {
    what: 'DiffAugment (translation, cutout, colour) on reals and fakes, lazy R1 (γ = 1 every 4th D step), no norm in D, EMA from step 100, batch 32, width 32.',
    when: '100–2,000 images, where D otherwise memorises the data.',
  },
  rpgan: {
    what: 'the relativistic pairing loss of R3GAN with R1 + R2 penalties (γ = 1, every 4th D step) on a plain D (strided convs, no normalization), the DCGAN G of small-dataset, DiffAugment, EMA, Adam 3e-4, batch 16, width 32.',
    when: 'small colour data sets where the non-saturating loss is unstable; each G step also scores a real batch, so a step costs about 0.65× a small-dataset step at half its batch.',
  },
  fastgan: {
    what: 'FastGAN (Liu et al. 2021): G with skip-layer excitation and GLUs, D with two small decoders that reconstruct the real image and a random quarter of it (L1), hinge loss, DiffAugment, EMA, batch 16, width 32, 64–256 px.',
    when: 'a few hundred colour images at 64–256 px; each 64-px step costs about 1.3× a small-dataset step, at half its batch.',
  },
};

/** The facts of a data set the suggestion looks at. */
export interface DatasetFacts {
  /** Usable images. */
  count: number;
  /** Training resolution (px, square). */
  resolution: number;
  /** 1 (grayscale) or 3 (colour). */
  channels: 1 | 3;
}

export interface PresetSuggestion {
  preset: string;
  /** Why, in one line that names the facts. */
  reason: string;
}

/** Data sets up to this many images get a small-data recipe (the README's "100–2,000 images"). */
const SMALL_DATASET_MAX = 2000;
/** Colour sets up to this many images ("a few hundred", the README's fastgan row) get fastgan. */
const FASTGAN_MAX = 1000;
/** fastgan's resolutions: powers of two from 64 to 256. */
const FASTGAN_SIZES = [64, 128, 256];

/** The preset that fits a data set best, by the README's "when" column. */
export function suggestPreset(facts: DatasetFacts): PresetSuggestion {
  const { count, resolution, channels } = facts;
  const kind = channels === 1 ? 'grayscale' : 'colour';
  const what = `${count.toLocaleString('en-US')} ${kind} images at ${resolution}²`;
  if (count <= FASTGAN_MAX && channels === 3 && FASTGAN_SIZES.includes(resolution))
    return {
      preset: 'fastgan',
      reason: `${what}: a few hundred colour images at 64–256 px is what fastgan is for; it scored the lowest SWD of the small-data recipes at equal CPU time (README, "Measuring the small-data recipes"). rpgan is the alternative when training is unstable.`,
    };
  if (count <= SMALL_DATASET_MAX) {
    const notFastgan =
      channels === 1
        ? 'fastgan is for colour'
        : FASTGAN_SIZES.includes(resolution)
          ? `over ${FASTGAN_MAX.toLocaleString('en-US')} images fastgan's gain is not measured`
          : 'fastgan needs 64, 128 or 256 px';
    return {
      preset: 'small-dataset',
      reason: `${what}: few enough that D would memorise them without augmentation (${notFastgan}).`,
    };
  }
  if (channels === 1 && resolution === 28)
    return { preset: 'dcgan-28', reason: `${what}: the small grayscale case dcgan-28 is made for.` };
  return { preset: 'sngan-hinge', reason: `${what}: sngan-hinge is the strong general default.` };
}
