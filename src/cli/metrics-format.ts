/** How the CLI prints an evaluation: one line, the headline numbers first. */
import type { MetricValues } from '../engine';
import { COPYING_WARNING } from '../shared/metrics';

export function formatMetricsLine(
  m: MetricValues & { step?: number; seconds?: number; heldout?: boolean; copying?: number | null },
): string {
  const levels = m.swdLevels.map((v, i) => `${m.swdSizes[i]}px ${v.toFixed(1)}`).join(', ');
  const where = m.heldout === false ? 'training images' : 'held-out images';
  const copying =
    typeof m.copying === 'number'
      ? `  copying ${(m.copying * 100).toFixed(0)}%${m.copying > COPYING_WARNING ? ' (high)' : ''}`
      : '';
  return (
    `metrics${m.step !== undefined ? ` step ${m.step}` : ''}: SWD ${m.swd.toFixed(1)} (${levels})  KID ${m.kid.toFixed(2)}  diversity ${m.diversity.toFixed(2)}${copying}` +
    `  (${m.samples} samples vs ${m.reals} ${where}${m.seconds !== undefined ? `, ${m.seconds.toFixed(1)} s` : ''})`
  );
}

/** The warning a high copying score calls for, with what to do; null when it is not high. */
export function copyingWarning(copying: number | null | undefined): string | null {
  if (typeof copying !== 'number' || copying <= COPYING_WARNING) return null;
  return `copying score ${(copying * 100).toFixed(0)}%: that share of samples is closer to a training image than 95% of held-out images are, so the generator may be reproducing its training images. Use an earlier checkpoint, more augmentation (augment.diff, augment.ada), more images, or a smaller model; gan-studio nearest shows which images.`;
}
