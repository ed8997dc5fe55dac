/**
 * One quality evaluation of a run: a line of its metrics.jsonl (written by
 * src/engine/metrics/live.ts), as the studio plots it. Weight-free metrics of
 * the EMA generator's samples against the run's held-out reals.
 */
export interface MetricsPoint {
  step: number;
  /** Multi-scale SWD ×10³, mean over pyramid levels (lower is better). */
  swd: number;
  /** SWD ×10³ per level, finest first. */
  swdLevels: number[];
  /** Image side of each level. */
  swdSizes: number[];
  /** Unbiased KID ×10³ in random-net features (0 is a perfect match; can dip below 0). */
  kid: number;
  /** The samples' spread ÷ the reals': about 1 is as varied as the data, far below 1 is mode collapse. */
  diversity: number;
  samples: number;
  reals: number;
  /**
   * Copying score: the share of samples whose nearest training image is closer
   * than 95% of the held-out images are to the training set (about 0.05 for
   * new images, near 1 when G reproduces its data). Null or absent when the
   * run has no held-out images, or its data set is too large to search live.
   */
  copying?: number | null;
  /** Wall time of the evaluation (sampling and scoring), seconds: what it cost the run. */
  seconds: number;
  /** False when the data set was too small to hold images out: the reals are training images. */
  heldout: boolean;
  /** ms since the epoch. */
  time: number;
}

/**
 * A copying score (the share of samples closer to a training image than 95%
 * of held-out images are) above this is shown as a warning: new images score
 * about 0.05.
 */
export const COPYING_WARNING = 0.3;

/** Diversity below this reads as mode collapse (the samples vary far less than the data). */
export const LOW_DIVERSITY = 0.5;

/** Whether a parsed metrics.jsonl line has the numbers a chart needs. */
export function isMetricsPoint(v: unknown): v is MetricsPoint {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Record<string, unknown>;
  return ['step', 'swd', 'kid', 'diversity', 'seconds'].every((k) => typeof m[k] === 'number');
}
