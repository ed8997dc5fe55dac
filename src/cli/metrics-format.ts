/** How the CLI prints an evaluation: one line, the headline numbers first. */
import type { MetricValues } from '../engine/metrics/compare';

export function formatMetricsLine(m: MetricValues & { step?: number; seconds?: number; heldout?: boolean }): string {
  const levels = m.swdLevels.map((v, i) => `${m.swdSizes[i]}px ${v.toFixed(1)}`).join(', ');
  const where = m.heldout === false ? 'training images' : 'held-out images';
  return (
    `metrics${m.step !== undefined ? ` step ${m.step}` : ''}: SWD ${m.swd.toFixed(1)} (${levels})  KID ${m.kid.toFixed(2)}  diversity ${m.diversity.toFixed(2)}` +
    `  (${m.samples} samples vs ${m.reals} ${where}${m.seconds !== undefined ? `, ${m.seconds.toFixed(1)} s` : ''})`
  );
}
