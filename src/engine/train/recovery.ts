/**
 * Training that recovers by itself. A watch looks at each step's numbers for
 * divergence (a NaN or Inf loss or gradient norm, or a gradient norm above
 * recovery.gradNormLimit for recovery.gradNormSteps steps in a row); a
 * non-finite weight is caught when a checkpoint is saved. The loop then rolls
 * back: the newest intact checkpoint (or the fresh start when there is none
 * yet) with both learning rates times recovery.lrFactor and the noise and
 * tricks streams reseeded, so the same noise does not replay into the same
 * blow-up. Everything a rollback changes lives in the session state that
 * checkpoints save, and every choice is a function of (seed, rollback count),
 * so a resumed run makes the same rollbacks as an uninterrupted one.
 */
import type { TrainConfig } from '../../shared/config';
import type { RollbackEvent } from '../../shared/stats';
import { UserError } from '../errors';
import { loadCheckpoint } from '../run/checkpoint';
import { pickNewestIntact } from '../run/checkpoint-pick';
import { listCheckpoints } from '../run/run-dir';
import type { StepStats } from '../run/stats-log';
import { Rng, deriveSeed } from '../rng';
import { GanSession, type TrainingData } from './session';

export type { RollbackEvent } from '../../shared/stats';

/**
 * The checkpoints a rollback may return to, newest first: those on the run's
 * checkpoint cadence (extra ones written when a run was stopped are left out,
 * so a run stopped and resumed rolls back to where an uninterrupted one
 * would; any checkpoint when the cadence is 0 or none is on it). When the
 * run diverges again before it saved a checkpoint past its last rollback,
 * that checkpoint was already on the way to divergence: go further back.
 */
async function rollbackTargets(runDir: string, session: GanSession): Promise<string[]> {
  const { config } = session;
  const limit = session.rolledBackTo ?? session.step + 1;
  const all = (await listCheckpoints(runDir)).filter((c) => c.step < limit && c.step <= session.step).reverse();
  const onCadence = config.checkpointEvery > 0 ? all.filter((c) => c.step % config.checkpointEvery === 0) : [];
  return (onCadence.length > 0 ? onCadence : all).map((c) => c.dir);
}

/** Why a run is diverging, from each step's numbers. */
export class DivergenceWatch {
  constructor(
    private readonly recovery: TrainConfig['recovery'],
    /** Steps in a row so far with an exploding gradient norm (a resumed run continues its count). */
    private exploding = 0,
  ) {}

  get streak(): number {
    return this.exploding;
  }

  /** A reason when this step shows divergence, else null. */
  check(s: StepStats): string | null {
    if (!Number.isFinite(s.lossD) || !Number.isFinite(s.lossG))
      return `a loss is ${Number.isNaN(s.lossD) || Number.isNaN(s.lossG) ? 'NaN' : 'infinite'} at step ${s.step}`;
    if (!Number.isFinite(s.gradNormD) || !Number.isFinite(s.gradNormG))
      return `a gradient norm is NaN or infinite at step ${s.step}`;
    const norm = Math.max(s.gradNormD, s.gradNormG);
    this.exploding = norm > this.recovery.gradNormLimit ? this.exploding + 1 : 0;
    if (this.exploding >= this.recovery.gradNormSteps) {
      return `the gradient norm stayed above ${this.recovery.gradNormLimit} for ${this.exploding} steps (${norm.toPrecision(3)} at step ${s.step})`;
    }
    return null;
  }
}

/** A rate factor for people: 0.25, not 0.25000000000000006. */
export const formatScale = (x: number): string => String(Number(x.toPrecision(4)));

/** The error a run stops with when it cannot recover (or recovery is off). */
export function divergedError(reason: string, session: GanSession, config: TrainConfig): UserError {
  const tried = config.recovery.enabled
    ? ` and did not recover after ${session.rollbacks} rollback${session.rollbacks === 1 ? '' : 's'} (learning rates now ×${formatScale(session.lrScale)})`
    : ' (recovery.enabled is off)';
  return new UserError(
    `Training diverged: ${reason}${tried}. The last good checkpoint is kept. Try lower learning rates (--set g.lr=… --set d.lr=…), spectral norm in D (--set d.spectralNorm=true), or an R1 penalty (--set penalty.type=r1), then train again or resume from an earlier checkpoint.`,
  );
}

/**
 * The session to continue with after a divergence at `session.step`: the
 * newest intact checkpoint of `runDir`, or step 0 with the initial weights.
 * Disposes nothing; the caller disposes the diverged session.
 */
export async function rollBack(
  runDir: string,
  session: GanSession,
  data: TrainingData,
  reason: string,
): Promise<{ session: GanSession; event: RollbackEvent }> {
  const { config } = session;
  const rollbacks = session.rollbacks + 1;
  const lrScale = session.lrScale * config.recovery.lrFactor;
  const reseeded = {
    noise: new Rng(deriveSeed(config.seed, `noise/rollback/${rollbacks}`)).state.map((v) => v >>> 0) as [
      number,
      number,
      number,
      number,
    ],
    tricks: new Rng(deriveSeed(config.seed, `tricks/rollback/${rollbacks}`)).state.map((v) => v >>> 0) as [
      number,
      number,
      number,
      number,
    ],
  };
  let next: GanSession;
  let checkpoint: string | null = null;
  const targets = await rollbackTargets(runDir, session);
  if (targets.length > 0) {
    const picked = await pickNewestIntact(runDir, targets, (dir) => loadCheckpoint(dir, config));
    checkpoint = picked.dir;
    const parts = picked.value;
    next = new GanSession(
      config,
      data.count,
      { ...parts, state: { ...parts.state, ...reseeded, lrScale, rollbacks } },
      data,
    );
  } else {
    const start = {
      step: 0,
      noise: reseeded.noise,
      data: { epoch: 0, position: 0 },
      tricks: reseeded.tricks,
      augmentP: config.augment.probability,
    };
    next = new GanSession(
      config,
      data.count,
      { ...GanSession.initialModels(config), state: { ...start, lrScale, rollbacks } },
      data,
    );
  }
  next.rolledBackTo = next.step;
  const event: RollbackEvent = {
    type: 'rollback',
    step: next.step,
    fromStep: session.step,
    checkpoint,
    reason,
    rollback: rollbacks,
    lrScale,
    time: Date.now(),
  };
  return { session: next, event };
}
