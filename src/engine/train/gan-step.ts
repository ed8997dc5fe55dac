/**
 * One D update and one G update: the alternating scheme.
 *
 * D step: D learns to tell a real batch from a generated one; G only supplies
 * the fakes (outside the gradient tape) and none of its weights move.
 * G step: G learns through D; gradients are taken for G's variables only, so
 * D's weights do not move.
 *
 * BatchNorm layers run in training mode (batch statistics) in both steps, as
 * in PyTorch's DCGAN, and in training mode tfjs also updates their moving
 * statistics. Those are weights too, as are the u vectors of spectral norm,
 * so the network that is not being trained in a step gets its non-trainable
 * weights restored: a G step leaves D exactly as it was, and a D step leaves
 * G exactly as it was.
 *
 * Options (all optional; without them this is the plain DCGAN step): the GAN
 * loss, one-hot labels for a conditional GAN, a `prepare` hook that turns an
 * image batch into what D sees (DiffAugment, instance noise), per-sample
 * targets (label smoothing and flipping), a gradient penalty, WGAN weight clipping,
 * and fastgan's reconstruction of the real batch by D's decoders.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../../shared/config';
import type { Optimizer } from './optimizers';
import { fastganReconstructionLoss } from '../models/fastgan';
import { discriminatorLossFor, generatorLoss, outputIsLogit, type DTargets } from './losses';
import { gradientPenalty, type PenaltyKind } from './penalties';

export interface Trainee {
  model: tf.LayersModel;
  optimizer: Optimizer;
}

/** Scalars from a D step, still on the device so one read-back serves the whole step. */
export interface DStepStats {
  lossD: tf.Scalar;
  dReal: tf.Scalar;
  dFake: tf.Scalar;
  gradNormD: tf.Scalar;
  /** E[sign D(x)] on the reals, for ADA. */
  signReal?: tf.Scalar;
  /** The gradient penalty in lossD (0 when none was applied). */
  penalty?: tf.Scalar;
  /** fastgan: the weighted reconstruction L1 in lossD. */
  reconstruction?: tf.Scalar;
}

export interface GStepStats {
  lossG: tf.Scalar;
  gradNormG: tf.Scalar;
}

/** What D sees of a batch (augmented, noised); must be differentiable for the G step. Called once per batch. */
export type PrepareFn = (images: tf.Tensor4D, which: 'real' | 'fake') => tf.Tensor4D;

export interface DStepOptions {
  loss?: LossName;
  /** One-hot labels [N, K] for a conditional GAN: of the reals, and given to G for the fakes. */
  labels?: tf.Tensor2D | null;
  prepare?: PrepareFn;
  targets?: { real: Float32Array | null; fake: Float32Array | null } | null;
  penalty?: { kind: PenaltyKind; weight: number; epsilon?: Float32Array } | null;
  /** WGAN: clip every D weight to [−clip, clip] after the update. */
  clip?: number | null;
  /**
   * fastgan: D (d.model) also outputs reconstructions of the real batch; `score` is
   * D's score output alone (same weights), used for fakes and the penalty. The
   * part decoder's quarter must already be set on D (setCropQuarter).
   */
  reconstruction?: { score: tf.LayersModel; quarter: number; weight: number } | null;
  /** Data-parallel replicas: turns this replica's gradients into the mean over all replicas before the update. */
  reduceGrads?: ReduceGrads | null;
}

/** Gradients (in variable order) in, the gradients to apply out (same shapes); runs inside the step's tidy. */
export type ReduceGrads = (grads: tf.Tensor[]) => tf.Tensor[];

export interface GStepOptions {
  labels?: tf.Tensor2D | null;
  prepare?: PrepareFn;
  /** loss=rpgan: the real batch G's fakes are paired with. */
  real?: tf.Tensor4D | null;
  /** See DStepOptions.reduceGrads. */
  reduceGrads?: ReduceGrads | null;
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Run `fn` and then put `model`'s non-trainable weights (BatchNorm statistics, spectral-norm u) back as they were. */
function keepingStatistics<T>(model: tf.LayersModel, fn: () => T): T {
  const saved = model.nonTrainableWeights.map((w) => w.read().clone());
  try {
    return fn();
  } finally {
    model.nonTrainableWeights.forEach((w, i) => w.write(saved[i]));
    saved.forEach((t) => t.dispose());
  }
}

function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(grads.map((g) => g.square().sum())).sqrt() as tf.Scalar);
}

/** Gradients of `loss` for `vars`, in the order of `vars`. Returns the loss value too. */
function gradientsOf(vars: tf.Variable[], loss: () => tf.Scalar): { value: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(loss, vars);
  return { value, grads: vars.map((v) => grads[v.name]) };
}

/** Apply a (possibly conditional) model in training mode. */
function applyModel(
  model: tf.LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor2D | null | undefined,
  training = true,
): tf.Tensor {
  return model.apply(labels ? [x, labels] : x, { training }) as tf.Tensor;
}

export function discriminatorStep(
  d: Trainee,
  g: tf.LayersModel,
  real: tf.Tensor4D,
  z: tf.Tensor2D,
  opts: DStepOptions = {},
): DStepStats {
  const loss = opts.loss ?? 'nonsaturating';
  const labels = opts.labels ?? null;
  return tf.tidy(() => {
    const fake = keepingStatistics(g, () => applyModel(g, z, labels) as tf.Tensor4D);
    const realIn = opts.prepare ? opts.prepare(real, 'real') : real;
    const fakeIn = opts.prepare ? opts.prepare(fake, 'fake') : fake;
    const targets: DTargets = {
      real: opts.targets?.real ? tf.tensor1d(opts.targets.real) : null,
      fake: opts.targets?.fake ? tf.tensor1d(opts.targets.fake) : null,
    };
    const recon = opts.reconstruction ?? null;
    const dOf = (x: tf.Tensor4D) => applyModel(recon ? recon.score : d.model, x, labels);
    let dReal!: tf.Scalar;
    let dFake!: tf.Scalar;
    let signReal!: tf.Scalar;
    let penalty!: tf.Scalar;
    let reconstruction: tf.Scalar | undefined;
    const { value, grads } = gradientsOf(trainableVariables(d.model), () => {
      let realOut: tf.Tensor;
      if (recon) {
        // One pass of the whole D over the reals: its score, and the decoders' images for the L1.
        const outs = d.model.apply(realIn, { training: true }) as tf.Tensor[];
        realOut = outs[0];
        reconstruction = tf.keep(fastganReconstructionLoss(outs, realIn, recon.quarter).mul(recon.weight) as tf.Scalar);
      } else realOut = dOf(realIn);
      const fakeOut = dOf(fakeIn);
      const show = (t: tf.Tensor) => (outputIsLogit(loss) ? tf.sigmoid(t) : t).mean() as tf.Scalar;
      dReal = tf.keep(show(realOut));
      dFake = tf.keep(show(fakeOut));
      signReal = tf.keep(tf.sign(realOut).mean() as tf.Scalar);
      let base = discriminatorLossFor(loss, realOut, fakeOut, targets);
      if (reconstruction) base = base.add(reconstruction) as tf.Scalar;
      if (!opts.penalty) {
        penalty = tf.keep(tf.scalar(0));
        return base;
      }
      const p = gradientPenalty(
        opts.penalty.kind,
        dOf,
        { real: realIn, fake: fakeIn, epsilon: opts.penalty.epsilon },
        opts.penalty.weight,
      );
      penalty = tf.keep(p.clone());
      return base.add(p) as tf.Scalar;
    });
    const applied = opts.reduceGrads ? opts.reduceGrads(grads) : grads;
    d.optimizer.apply(applied);
    if (opts.clip != null) {
      const c = opts.clip;
      for (const v of trainableVariables(d.model)) v.assign(tf.clipByValue(v, -c, c));
    }
    return {
      lossD: value,
      dReal,
      dFake,
      gradNormD: globalNorm(applied),
      signReal,
      penalty,
      ...(reconstruction ? { reconstruction } : {}),
    };
  });
}

export function generatorStep(
  g: Trainee,
  d: tf.LayersModel,
  z: tf.Tensor2D,
  loss: LossName,
  opts: GStepOptions = {},
): GStepStats {
  const labels = opts.labels ?? null;
  return tf.tidy(() =>
    keepingStatistics(d, () => {
      const { value, grads } = gradientsOf(trainableVariables(g.model), () => {
        const fake = applyModel(g.model, z, labels) as tf.Tensor4D;
        const seen = opts.prepare ? opts.prepare(fake, 'fake') : fake;
        const real = opts.real
          ? applyModel(d, opts.prepare ? opts.prepare(opts.real, 'real') : opts.real, labels)
          : undefined;
        return generatorLoss(applyModel(d, seen, labels), loss, real);
      });
      const applied = opts.reduceGrads ? opts.reduceGrads(grads) : grads;
      g.optimizer.apply(applied);
      return { lossG: value, gradNormG: globalNorm(applied) };
    }),
  );
}
