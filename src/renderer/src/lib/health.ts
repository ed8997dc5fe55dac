/**
 * Health checks on the live training stats: the failure signs a newcomer
 * cannot read off the curves yet. Pure functions of the recorded steps so they
 * are easy to test on crafted data; the Train view shows one banner per issue.
 */

import type { StepStats } from '@shared/stats';

/** The per-step numbers the checks look at. */
export type HealthStats = Pick<StepStats, 'step' | 'lossD' | 'lossG' | 'dReal' | 'dFake' | 'gradNormD' | 'gradNormG'>;

export type HealthSeverity = 'error' | 'warning';

export interface HealthIssue {
  /** Stable id, one per rule: the view keys and dismisses banners by it. */
  id: 'nan' | 'd-collapse' | 'grad-explode' | 'g-vanish' | 'mode-collapse';
  severity: HealthSeverity;
  title: string;
  /** What it means and what to try, one or two sentences. */
  detail: string;
  /** The step where the sign was seen. */
  step: number;
}

export interface HealthRules {
  /** lossD below this counts as "collapsed to zero". */
  dCollapseLoss: number;
  /** For how many consecutive latest steps lossD must stay below it. */
  dCollapseSteps: number;
  /** A gradient norm above this is flagged. */
  gradNormLimit: number;
  /** Gradient norms are checked over this many latest steps. */
  gradWindow: number;
  /** ‖∇G‖ below this counts as vanished… */
  gVanishNorm: number;
  /** …when it stays there for this many consecutive latest steps. */
  gVanishSteps: number;
  /** A sample grid whose tiles differ less than this (sampleSpread, 0–1) has collapsed… */
  collapseSpread: number;
  /**
   * …when an earlier grid of the run varied (twice that spread), or past this
   * step. A young G makes near-identical tiles (the grey of an untrained net):
   * they have not collapsed, they never varied yet.
   */
  collapseAfterStep: number;
}

/** How much the tiles of a sample grid differ from each other (see lib/sample-spread). */
export interface SampleSpread {
  step: number;
  /** Mean over pixel positions of the standard deviation across tiles, 0–1. */
  spread: number;
  /** The highest spread of the run's earlier grids that were measured; null when none was. */
  peak: number | null;
}

export const DEFAULT_HEALTH_RULES: HealthRules = {
  dCollapseLoss: 0.01,
  dCollapseSteps: 50,
  gradNormLimit: 100,
  gradWindow: 20,
  gVanishNorm: 1e-6,
  gVanishSteps: 20,
  collapseSpread: 0.02,
  collapseAfterStep: 500,
};

const NUMERIC_KEYS = ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG'] as const;

/** Every issue present in `stats` (ordered by step) and in the newest sample grid's spread, most severe first. */
export function checkHealth(
  stats: readonly HealthStats[],
  rules: HealthRules = DEFAULT_HEALTH_RULES,
  spread: SampleSpread | null = null,
): HealthIssue[] {
  const issues: HealthIssue[] = [];
  if (stats.length === 0) return issues;

  const firstBad = stats.find((s) => NUMERIC_KEYS.some((k) => !Number.isFinite(s[k])));
  if (firstBad) {
    const which = NUMERIC_KEYS.filter((k) => !Number.isFinite(firstBad[k])).join(', ');
    issues.push({
      id: 'nan',
      severity: 'error',
      title: `NaN or infinity in ${which} at step ${firstBad.step}`,
      detail:
        'Training has diverged and will not recover. Resume from an earlier checkpoint with lower learning rates, or start again.',
      step: firstBad.step,
    });
  }

  let run = 0;
  for (let i = stats.length - 1; i >= 0 && stats[i].lossD < rules.dCollapseLoss; i--) run++;
  if (run >= rules.dCollapseSteps) {
    const last = stats[stats.length - 1];
    issues.push({
      id: 'd-collapse',
      severity: 'warning',
      title: `Discriminator loss near 0 for ${run} steps`,
      detail:
        'D wins outright, so G gets no useful gradient. Try a lower D learning rate, fewer D steps, or more data.',
      step: last.step,
    });
  }

  const window = stats.slice(-rules.gradWindow);
  let worst: { net: 'D' | 'G'; value: number; step: number } | null = null;
  for (const s of window) {
    for (const [net, value] of [
      ['D', s.gradNormD],
      ['G', s.gradNormG],
    ] as const) {
      if (Number.isFinite(value) && value > rules.gradNormLimit && (!worst || value > worst.value)) {
        worst = { net, value, step: s.step };
      }
    }
  }
  if (worst) {
    issues.push({
      id: 'grad-explode',
      severity: 'warning',
      title: `${worst.net} gradient norm ${formatNorm(worst.value)} at step ${worst.step} (above ${rules.gradNormLimit})`,
      detail: 'Exploding gradients usually come before a collapse. Lower the learning rates or Adam β1.',
      step: worst.step,
    });
  }

  let flat = 0;
  for (
    let i = stats.length - 1;
    i >= 0 && Number.isFinite(stats[i].gradNormG) && stats[i].gradNormG < rules.gVanishNorm;
    i--
  )
    flat++;
  if (flat >= rules.gVanishSteps) {
    const last = stats[stats.length - 1];
    issues.push({
      id: 'g-vanish',
      severity: 'warning',
      title: `G's gradient has vanished: ‖∇G‖ ${formatNorm(last.gradNormG)} for ${flat} steps`,
      detail:
        "G no longer learns: D saturates, or G's outputs are stuck (for example all white). Lower the learning rates (2e-4 is a usual start), and resume from a checkpoint before it began or start again.",
      step: last.step,
    });
  }

  const variedBefore = spread?.peak != null && spread.peak >= 2 * rules.collapseSpread;
  if (spread && spread.spread < rules.collapseSpread && (variedBefore || spread.step >= rules.collapseAfterStep)) {
    issues.push({
      id: 'mode-collapse',
      severity: 'warning',
      title: `The samples at step ${spread.step} ${variedBefore ? 'no longer differ' : 'barely differ'} from each other (mode collapse)`,
      detail:
        'G makes (nearly) the same image for every z. Try a lower G learning rate, a loss with better gradients (hinge with spectral norm, or wgan-gp), minibatch standard deviation in D, or more augmentation; resume from a checkpoint whose samples still varied.',
      step: spread.step,
    });
  }
  return issues;
}

function formatNorm(v: number): string {
  return v >= 1000 || (v !== 0 && v < 0.01) ? v.toExponential(1) : v.toFixed(1);
}
