/**
 * The small stabilising tricks of GAN practice, as pure functions of a
 * config, a step and GAN Studio's Rng (so a resumed run draws the same):
 * latent sampling, one-sided label smoothing, label flipping, and the
 * instance-noise schedule.
 */
import type { LatentDist, TrainConfig } from '../../shared/config';
import { sampleLatent as rngSampleLatent, type Rng } from '../rng';

/** `count` latent vectors of size `dim`: N(0, 1) or U(−1, 1) (defined with the Rng, which web exports ship). */
export const sampleLatent: (rng: Rng, count: number, dim: number, dist: LatentDist) => Float32Array = rngSampleLatent;

/** D's per-sample targets, or null for the plain 1 (real) and 0 (fake) when no label trick is on. */
export function labelTargets(
  labels: TrainConfig['labels'],
  rng: Rng,
  n: number,
): { real: Float32Array; fake: Float32Array } | null {
  if (labels.smoothing === 'none' && labels.flip <= 0) return null;
  const real = new Float32Array(n);
  const fake = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    real[i] =
      labels.smoothing === 'constant'
        ? labels.real
        : labels.smoothing === 'random'
          ? labels.realMin + rng.uniform() * (labels.realMax - labels.realMin)
          : 1;
  }
  if (labels.flip > 0) {
    // A flipped sample swaps targets: a real one is called fake (0), a fake one real (the real target).
    const realTarget = labels.smoothing === 'constant' ? labels.real : 1;
    for (let i = 0; i < n; i++) if (rng.uniform() < labels.flip) real[i] = 0;
    for (let i = 0; i < n; i++) if (rng.uniform() < labels.flip) fake[i] = realTarget;
  }
  return { real, fake };
}

/** σ of the instance noise at `step` (0-based count of finished iterations). */
export function instanceNoiseSigma(noise: TrainConfig['instanceNoise'], step: number): number {
  const { sigma, decay, steps } = noise;
  if (sigma <= 0) return 0;
  switch (decay) {
    case 'none':
      return sigma;
    case 'linear':
      return sigma * Math.max(0, 1 - step / steps);
    case 'exponential':
      return step >= steps ? 0 : sigma * Math.pow(100, -step / steps);
  }
}
