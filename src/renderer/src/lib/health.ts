/**
 * Health checks on the live training stats: the failure signs a newcomer
 * cannot read off the curves yet. Pure functions of the recorded steps so they
 * are easy to test on crafted data; the Train view shows one banner per issue.
 */

/** The per-step numbers the checks look at (a subset of the engine's StepStats). */
export interface HealthStats {
  step: number;
  lossD: number;
  lossG: number;
  dReal: number;
  dFake: number;
  gradNormD: number;
  gradNormG: number;
}

export type HealthSeverity = 'error' | 'warning';

export interface HealthIssue {
  /** Stable id, one per rule: the view keys and dismisses banners by it. */
  id: 'nan' | 'd-collapse' | 'grad-explode';
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
}

export const DEFAULT_HEALTH_RULES: HealthRules = {
  dCollapseLoss: 0.01,
  dCollapseSteps: 50,
  gradNormLimit: 100,
  gradWindow: 20,
};

const NUMERIC_KEYS = ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG'] as const;

/** Every issue present in `stats` (ordered by step), most severe first. */
export function checkHealth(stats: readonly HealthStats[], rules: HealthRules = DEFAULT_HEALTH_RULES): HealthIssue[] {
  const issues: HealthIssue[] = [];
  if (stats.length === 0) return issues;

  const firstBad = stats.find((s) => NUMERIC_KEYS.some((k) => !Number.isFinite(s[k])));
  if (firstBad) {
    const which = NUMERIC_KEYS.filter((k) => !Number.isFinite(firstBad[k])).join(', ');
    issues.push({
      id: 'nan',
      severity: 'error',
      title: `NaN or infinity in ${which} at step ${firstBad.step}`,
      detail: 'Training has diverged and will not recover. Resume from an earlier checkpoint with lower learning rates, or start again.',
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
      detail: 'D wins outright, so G gets no useful gradient. Try a lower D learning rate, fewer D steps, or more data.',
      step: last.step,
    });
  }

  const window = stats.slice(-rules.gradWindow);
  let worst: { net: 'D' | 'G'; value: number; step: number } | null = null;
  for (const s of window) {
    for (const [net, value] of [['D', s.gradNormD], ['G', s.gradNormG]] as const) {
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
  return issues;
}

function formatNorm(v: number): string {
  return v >= 1000 ? v.toExponential(1) : v.toFixed(1);
}
