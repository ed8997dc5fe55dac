/**
 * The quality curves of a run (metrics.jsonl: SWD, KID, diversity per
 * evaluation) for the charts, what the evaluations cost, and the warnings
 * they call for. Pure, so the numbers can be tested without a canvas.
 */
import { COPYING_WARNING, LOW_DIVERSITY, type MetricsPoint } from '@shared/metrics';
import { DEFAULT_HEALTH_RULES } from './health';
import type { CurveSeries } from './charts';
import { formatNumber } from './format';

export type QualityKey = 'swd' | 'kid' | 'diversity';

/** What each metric is, for the chart titles and hints. */
export const QUALITY_METRICS: Record<QualityKey, { title: string; hint: string }> = {
  swd: {
    title: 'SWD ×10³',
    hint: 'Multi-scale sliced Wasserstein distance of the EMA samples to held-out images (lower is better).',
  },
  kid: {
    title: 'KID ×10³',
    hint: 'Kernel inception distance in random-net features, unbiased: 0 matches the data; it can dip below 0.',
  },
  diversity: {
    title: 'Diversity',
    hint: 'How varied the samples are ÷ how varied the data is: about 1 is as varied; far below 1 is mode collapse.',
  },
};

/** Add or replace the evaluation of `point.step`, ascending by step. */
export function upsertMetrics(list: readonly MetricsPoint[], point: MetricsPoint): MetricsPoint[] {
  const out = list.filter((m) => m.step !== point.step);
  out.push(point);
  return out.sort((a, b) => a.step - b.step);
}

/** A followed run's new evaluations (lib/follow-run) applied to what the page has: all of them on a reset. */
export function followedMetrics(
  list: readonly MetricsPoint[],
  update: { metricsReset: boolean; metrics: readonly MetricsPoint[] },
): MetricsPoint[] {
  if (update.metricsReset) return [...update.metrics].sort((a, b) => a.step - b.step);
  return update.metrics.reduce(upsertMetrics, [...list]);
}

/** One curve of one metric, with each evaluation's wall-clock time for the time axis. */
export function qualitySeries(
  points: readonly MetricsPoint[],
  key: QualityKey,
  name: string = QUALITY_METRICS[key].title,
  color = 0,
): CurveSeries {
  return { name, x: points.map((m) => m.step), y: points.map((m) => m[key]), t: points.map((m) => m.time), color };
}

/** The cost of the evaluations in one line, e.g. "Last evaluation 3.2 s (256 samples against 300 held-out images); 4 so far, 12.5 s in all." */
export function evaluationCost(points: readonly MetricsPoint[]): string | null {
  const last = points[points.length - 1];
  if (!last) return null;
  const total = points.reduce((s, m) => s + m.seconds, 0);
  const against = last.heldout ? `${last.reals} held-out images` : `${last.reals} training images`;
  return (
    `Last evaluation ${formatNumber(last.seconds, 2)} s (${last.samples} samples against ${against}); ` +
    `${points.length} so far, ${formatNumber(total, 3)} s in all.`
  );
}

/** The newest evaluation's copying score in words; null when it has none. */
export function copyingSummary(points: readonly MetricsPoint[]): string | null {
  const last = points[points.length - 1];
  if (typeof last?.copying !== 'number') return null;
  return `Copying ${formatNumber(last.copying * 100, 2)}% at step ${last.step.toLocaleString()}: samples closer to a training image than 95% of held-out images are (about 5% for new images).`;
}

/** Warnings the newest evaluation calls for (copying, collapse, no held-out split), each with what to do. */
export function qualityWarnings(points: readonly MetricsPoint[]): string[] {
  const last = points[points.length - 1];
  if (!last) return [];
  const out: string[] = [];
  if (last.step > 0 && typeof last.copying === 'number' && last.copying > COPYING_WARNING)
    out.push(
      `Copying score ${formatNumber(last.copying * 100, 2)}% at step ${last.step.toLocaleString()}: that many samples are closer to a training image than 95% of held-out images are, so the generator may be reproducing its data. Try an earlier checkpoint, more augmentation (augment.diff, augment.ada), more images or a smaller model; in Generate, a sample's nearest training images show what it copies.`,
    );
  // A young G has not collapsed, it has not varied yet (diversity 0.1 at step 200 of a
  // healthy run): warn once it varied and lost it, or past the health banner's age.
  const variedBefore = points.slice(0, -1).some((m) => m.diversity >= LOW_DIVERSITY);
  if (
    last.step > 0 &&
    last.diversity < LOW_DIVERSITY &&
    (variedBefore || last.step >= DEFAULT_HEALTH_RULES.collapseAfterStep)
  )
    out.push(
      `Diversity is ${formatNumber(last.diversity, 2)} at step ${last.step.toLocaleString()}: the samples vary far less than the data (mode collapse?).`,
    );
  if (!last.heldout)
    out.push('The data set is too small to hold images out: the metrics compare the samples with training images.');
  return out;
}
