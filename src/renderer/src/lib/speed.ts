/**
 * Training speed from the wall-clock times of the recorded steps, counting
 * only time spent training: a pause, or the time between a run's earlier
 * segment and its resume, shows up as one long gap between two steps and is
 * left out. Otherwise the ETA after a resume counts the hours the run sat
 * stopped (it said 8 min for 2.5 min of work).
 */

/** A gap this many times the median step time or longer is a pause, not work. */
const GAP_FACTOR = 5;

/** Steps per second over the last `window` steps, pauses and pre-resume time excluded; 0 when unknown. */
export function activeStepsPerSecond(stats: readonly { step: number; time: number }[], window = 30): number {
  const recent = stats.slice(-(window + 1));
  const pairs: { steps: number; dt: number }[] = [];
  for (let i = 1; i < recent.length; i++) {
    const steps = recent[i].step - recent[i - 1].step;
    const dt = (recent[i].time - recent[i - 1].time) / 1000;
    if (steps > 0 && dt > 0) pairs.push({ steps, dt });
  }
  if (pairs.length === 0) return 0;
  const perStep = pairs.map((p) => p.dt / p.steps).sort((a, b) => a - b);
  const median = perStep[Math.floor(perStep.length / 2)];
  let steps = 0;
  let dt = 0;
  for (const p of pairs) {
    if (p.dt / p.steps > GAP_FACTOR * median) continue;
    steps += p.steps;
    dt += p.dt;
  }
  return dt > 0 ? steps / dt : 0;
}
