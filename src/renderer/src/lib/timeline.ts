/**
 * The sample timeline: every grid a run saved, and the one to show for a
 * position of the scrubber.
 */

export interface SampleRef {
  step: number;
}

/**
 * The sample to show at `step`: the newest one saved at or before it (what
 * the model looked like then), or the first one when `step` is before them
 * all. `samples` must be sorted by step. Null when there are none.
 */
export function sampleAtStep<T extends SampleRef>(samples: readonly T[], step: number): T | null {
  if (samples.length === 0) return null;
  let lo = 0;
  let hi = samples.length - 1;
  if (step < samples[0].step) return samples[0];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (samples[mid].step <= step) lo = mid;
    else hi = mid - 1;
  }
  return samples[lo];
}

/** Index of the sample `sampleAtStep` would pick (-1 when there are none). */
export function sampleIndexAtStep(samples: readonly SampleRef[], step: number): number {
  const s = sampleAtStep(samples, step);
  return s ? samples.indexOf(s) : -1;
}

/** Insert or replace a sample, keeping the list sorted by step. */
export function upsertSample<T extends SampleRef>(samples: readonly T[], sample: T): T[] {
  const out = samples.filter((s) => s.step !== sample.step);
  let i = out.length;
  while (i > 0 && out[i - 1].step > sample.step) i--;
  out.splice(i, 0, sample);
  return out;
}

/**
 * The sample nearest to `step` (either side; the earlier one on a tie), for a
 * step picked on a chart. `samples` must be sorted by step. Null when none.
 */
export function nearestSample<T extends SampleRef>(samples: readonly T[], step: number): T | null {
  const before = sampleAtStep(samples, step);
  if (!before) return null;
  const next = samples[samples.indexOf(before) + 1];
  return next && next.step - step < step - before.step ? next : before;
}
