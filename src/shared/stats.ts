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
  /** fastgan: the reconstruction L1 of D's decoders on the real batch (included in lossD); absent otherwise. */
  lossRecon?: number;
  /** Wall-clock time of the step's end, ms since the epoch. */
  time: number;
}

/**
 * A line of stats.jsonl that is not a step: it has a `type`, which step lines
 * never have (readers that only want steps skip lines with a type).
 * `step` is where training continues after the event, so a resume that drops
 * the lines after its checkpoint drops the events of those steps too.
 */
export interface RollbackEvent {
  type: 'rollback';
  /** The step training continues from (the checkpoint rolled back to, or 0). */
  step: number;
  /** The step at which divergence was seen. */
  fromStep: number;
  /** The checkpoint folder rolled back to; null for a fresh start from step 0. */
  checkpoint: string | null;
  reason: string;
  /** 1 for the first rollback of the run, 2 for the second, … */
  rollback: number;
  /** The factor on both learning rates from now on. */
  lrScale: number;
  time: number;
}

export type RunEventLine = RollbackEvent;

/** Whether a parsed stats.jsonl line is an event rather than a step. */
export function isEventLine(line: unknown): line is RunEventLine {
  return typeof line === 'object' && line !== null && typeof (line as { type?: unknown }).type === 'string';
}
