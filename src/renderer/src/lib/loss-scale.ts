/**
 * What the curves of a run mean for its loss: the scale of loss D and loss G
 * and what D(x) / D(G(z)) are. The BCE losses log D's verdict as a
 * probability (0.5: D cannot tell); hinge, WGAN and LSGAN log raw scores that
 * no fixed 0–1 axis can hold (see StepStats.dReal and engine/train/losses.ts).
 */
import type { TrainConfig } from '@shared/config';

export type LossName = TrainConfig['loss'];

export interface LossScale {
  /** How to read the Losses chart for this loss. */
  lossHint: string;
  /** Title of the D outputs chart. */
  dTitle: string;
  /** How to read it. */
  dHint: string;
  /** A fixed y range, only where the values are probabilities. */
  dRange: { min: number; max: number } | null;
  /** Reference lines on the D chart (the "cannot tell" level, hinge margins). */
  dLines: { y: number; label: string }[];
}

const BCE_D = {
  dTitle: 'D(x) and D(G(z))',
  dHint: 'probability that an image is real; 0.5 = D cannot tell',
  dRange: { min: 0, max: 1 },
  dLines: [{ y: 0.5, label: 'cannot tell' }],
};

/** The scale and meaning of each curve for `loss` (null: unknown, read as the default nonsaturating loss). */
export function lossScale(loss: LossName | null): LossScale {
  switch (loss) {
    case 'minimax':
      return { ...BCE_D, lossHint: 'loss D ≈ 1.39 (2 ln 2) and loss G ≈ −0.69 when D cannot tell' };
    case 'hinge':
      return {
        lossHint: 'loss D = 2 when D cannot tell, 0 once D separates real and fake by the margin; loss G = −D(G(z))',
        dTitle: 'D scores (raw)',
        dHint: 'raw scores: hinge wants real ≥ +1 and fake ≤ −1; equal scores = D cannot tell',
        dRange: null,
        dLines: [
          { y: 1, label: '+1' },
          { y: -1, label: '−1' },
        ],
      };
    case 'wgan':
    case 'wgan-gp':
      return {
        lossHint:
          'loss D = D(G(z)) − D(x) (+ penalty): its size estimates the Wasserstein distance and shrinks as G improves; loss G = −D(G(z))',
        dTitle: 'Critic scores (raw)',
        dHint: 'unbounded scores: only the gap D(x) − D(G(z)) means something',
        dRange: null,
        dLines: [],
      };
    case 'lsgan':
      return {
        lossHint: 'least squares: loss D = 0.25 and loss G = 0.125 when D outputs 0.5 for everything',
        dTitle: 'D outputs (raw)',
        dHint: 'targets: real → 1, fake → 0; 0.5 = D cannot tell',
        dRange: null,
        dLines: [{ y: 0.5, label: 'cannot tell' }],
      };
    default:
      return { ...BCE_D, lossHint: 'loss D ≈ 1.39 (2 ln 2) and loss G ≈ 0.69 when D cannot tell' };
  }
}
