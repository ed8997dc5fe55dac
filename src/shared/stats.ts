/** The numbers of one training step: one line of a run's stats.jsonl, and what the studio plots. */
export interface StepStats {
  step: number;
  lossD: number;
  lossG: number;
  /**
   * D's mean verdict on the real batch: sigmoid(logit) for the BCE losses
   * (nonsaturating, minimax), so 0.5 means D cannot tell; the raw mean
   * output for wgan, wgan-gp, hinge and lsgan.
   */
  dReal: number;
  /** The same on the fake batch of the D step. */
  dFake: number;
  gradNormD: number;
  gradNormG: number;
  imgPerSec: number;
  /** Wall-clock time of the step's end, ms since the epoch. */
  time: number;
}
