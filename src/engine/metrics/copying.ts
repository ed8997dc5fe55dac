/**
 * The run-level copying score, one engine function for every place that
 * shows it (live metrics in metrics.jsonl, `gan-studio metrics`, `gan-studio
 * nearest`, the studio's Train and Runs views): the share of samples whose
 * nearest training image is closer than all but 5% of the held-out reals are
 * to the training set, in the memorization check's features. Held-out reals
 * are new draws from the data distribution, so a generator that makes new
 * images scores about 0.05, and one that reproduces its training images
 * scores near 1.
 */
import { COPYING_WARNING } from '../../shared/metrics';
import type { ImageSet } from './image-set';
import { copyingScore, nearestNeighbours, queryFeatures, type FeatureBase } from './nearest';

export interface CopyingReference {
  base: FeatureBase;
  /** The nearest-training distance of each held-out image. */
  heldoutNearest: number[];
}

export interface CopyingResult {
  /** Share of samples closer to a training image than the threshold, 0..1. */
  score: number;
  /** The held-out images' 5% quantile of nearest-training distance. */
  threshold: number;
  /** score > COPYING_WARNING. */
  warning: boolean;
  heldout: number;
  training: number;
}

/** Prepare the comparison: each held-out image's distance to its nearest training image (raw features in, [n, dim]). */
export async function copyingReference(base: FeatureBase, heldoutRaw: Float32Array): Promise<CopyingReference> {
  const dim = base.net.dim;
  const heldout = heldoutRaw.length / dim;
  if (heldout < 1) throw new RangeError('copyingReference: no held-out images');
  const s = base.standardiser;
  const q = new Float32Array(heldoutRaw.length);
  for (let i = 0; i < q.length; i++) q[i] = (heldoutRaw[i] - s.mean[i % dim]) / s.std[i % dim];
  const found = await nearestNeighbours(q, base.rows, dim, 1);
  return { base, heldoutNearest: found.map((l) => l[0].distance) };
}

/** The copying score of a set of samples. */
export async function copyingOf(ref: CopyingReference, samples: ImageSet): Promise<CopyingResult> {
  const dim = ref.base.net.dim;
  const found = await nearestNeighbours(await queryFeatures(ref.base, samples), ref.base.rows, dim, 1);
  const { score, threshold } = copyingScore(
    found.map((l) => l[0].distance),
    ref.heldoutNearest,
  );
  return {
    score,
    threshold,
    warning: score > COPYING_WARNING,
    heldout: ref.heldoutNearest.length,
    training: ref.base.rows.length / dim,
  };
}
