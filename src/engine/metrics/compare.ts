/**
 * The metrics of one evaluation, from two image sets: generated samples
 * against held-out reals. SWD works on pixels; KID and diversity on the
 * features of the fixed-seed random nets, standardised per dimension by the
 * reals' statistics and averaged over FEATURE_SEEDS.
 */
import { FEATURE_SEEDS, featureNet, imageFeatures, standardise, standardiser } from './features';
import { assertComparable, type ImageSet } from './image-set';
import { kernelInceptionDistance, meanPairwiseDistance } from './kid';
import { multiScaleSwd } from './swd';

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
}

export function compareSets(samples: ImageSet, reals: ImageSet, options: CompareOptions = {}): MetricValues {
  assertComparable(samples, reals);
  const swd = multiScaleSwd(samples, reals, { seed: options.seed ?? 0 });
  const seeds = options.featureSeeds ?? FEATURE_SEEDS;
  let kid = 0;
  let divS = 0;
  let divR = 0;
  for (const seed of seeds) {
    const net = featureNet(seed, reals.size, reals.channels);
    const fr = imageFeatures(net, reals);
    const s = standardiser(fr, net.dim);
    const r = standardise(fr, s);
    const f = standardise(imageFeatures(net, samples), s);
    kid += kernelInceptionDistance(f, r, net.dim) * 1e3;
    divS += meanPairwiseDistance(f, net.dim);
    divR += meanPairwiseDistance(r, net.dim);
  }
  const k = seeds.length;
  return {
    swd: swd.swd,
    swdLevels: swd.levels,
    swdSizes: swd.sizes,
    kid: kid / k,
    diversity: divS / divR,
    diversitySamples: divS / k,
    diversityReals: divR / k,
    samples: samples.count,
    reals: reals.count,
  };
}
