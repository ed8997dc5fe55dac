/**
 * The metrics of one evaluation, from two image sets: generated samples
 * against held-out reals. SWD works on pixels; KID and diversity on the
 * features of the fixed-seed random nets, standardised per dimension by the
 * reals' statistics and averaged over FEATURE_SEEDS. The reals are prepared
 * once (metricsReference), so a live evaluation only pays for the samples.
 */
import {
  FEATURE_SEEDS,
  featureNet,
  imageFeatures,
  standardise,
  standardiser,
  type FeatureNet,
  type Standardiser,
} from './features';
import { assertComparable, type ImageSet } from './image-set';
import { kernelInceptionDistance, meanPairwiseDistance } from './kid';
import { swdAgainst, swdReference, type SwdReference } from './swd';

export interface MetricValues {
  /** Multi-scale SWD ×10³, mean over levels (lower is better). */
  swd: number;
  /** SWD ×10³ per pyramid level, finest first. */
  swdLevels: number[];
  /** Image side of each level. */
  swdSizes: number[];
  /** Unbiased KID ×10³, averaged over the feature seeds (0 is a perfect match; can dip below 0). */
  kid: number;
  /** Mean pairwise feature distance of the samples ÷ that of the reals: about 1 is as varied as the data, far below 1 is mode collapse. */
  diversity: number;
  /** The two mean pairwise distances behind `diversity`. */
  diversitySamples: number;
  diversityReals: number;
  samples: number;
  reals: number;
}

export interface CompareOptions {
  seed?: number;
  featureSeeds?: readonly number[];
  /** Patches per image for SWD (128 in PGGAN). */
  patchesPerImage?: number;
}

export interface MetricsReference {
  set: ImageSet;
  swd: SwdReference;
  features: { net: FeatureNet; standardiser: Standardiser; reals: Float32Array; diversity: number }[];
}

/** The reals prepared for many comparisons. Async: tensors are read back with data(), which every backend has. */
export async function metricsReference(reals: ImageSet, options: CompareOptions = {}): Promise<MetricsReference> {
  if (reals.count < 2) throw new Error(`metrics need at least 2 real images, got ${reals.count}`);
  const features: MetricsReference['features'] = [];
  for (const seed of options.featureSeeds ?? FEATURE_SEEDS) {
    const net = featureNet(seed, reals.size, reals.channels);
    const raw = await imageFeatures(net, reals);
    const s = standardiser(raw, net.dim);
    const r = standardise(raw, s);
    features.push({ net, standardiser: s, reals: r, diversity: await meanPairwiseDistance(r, net.dim) });
  }
  return {
    set: reals,
    swd: await swdReference(reals, { seed: options.seed ?? 0, patchesPerImage: options.patchesPerImage }),
    features,
  };
}

export async function compareWithReference(ref: MetricsReference, samples: ImageSet): Promise<MetricValues> {
  assertComparable(samples, ref.set);
  const swd = await swdAgainst(ref.swd, samples);
  let kid = 0;
  let divS = 0;
  let divR = 0;
  for (const f of ref.features) {
    const x = standardise(await imageFeatures(f.net, samples), f.standardiser);
    kid += (await kernelInceptionDistance(x, f.reals, f.net.dim)) * 1e3;
    divS += await meanPairwiseDistance(x, f.net.dim);
    divR += f.diversity;
  }
  const k = ref.features.length;
  return {
    swd: swd.swd,
    swdLevels: swd.levels,
    swdSizes: swd.sizes,
    kid: kid / k,
    diversity: divS / divR,
    diversitySamples: divS / k,
    diversityReals: divR / k,
    samples: samples.count,
    reals: ref.set.count,
  };
}

export async function compareSets(
  samples: ImageSet,
  reals: ImageSet,
  options: CompareOptions = {},
): Promise<MetricValues> {
  return compareWithReference(await metricsReference(reals, options), samples);
}
