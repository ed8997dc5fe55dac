/**
 * fastgan's reconstruction term (`lossRecon` in stats.jsonl: D's decoders'
 * weighted L1 on the real batch, already part of loss D), as a loss curve.
 */
import type { StepStats } from '@shared/stats';

/** The chart name of the curve. */
export const RECON_LABEL = 'recon (in loss D)';

/** lossRecon per step, NaN where a step lacks it; null when the run has none (not a fastgan run). */
export function lossReconColumn(stats: readonly StepStats[]): number[] | null {
  if (!stats.some((s) => typeof s.lossRecon === 'number')) return null;
  return stats.map((s) => s.lossRecon ?? Number.NaN);
}
