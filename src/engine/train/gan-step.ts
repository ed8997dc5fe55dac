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
 * statistics. Those are weights too, so the network that is not being trained
 * in a step gets them restored: a G step leaves D exactly as it was, and a D
 * step leaves G exactly as it was.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../../shared/config';
import type { Adam } from './adam';
import { discriminatorLoss, generatorLoss } from './losses';

export interface Trainee {
  model: tf.LayersModel;
  optimizer: Adam;
}

/** Scalars from a D step, still on the device so one read-back serves the whole step. */
export interface DStepStats {
  lossD: tf.Scalar;
  dReal: tf.Scalar;
  dFake: tf.Scalar;
  gradNormD: tf.Scalar;
}

export interface GStepStats {
  lossG: tf.Scalar;
  gradNormG: tf.Scalar;
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** Run `fn` and then put `model`'s non-trainable weights (BatchNorm statistics) back as they were. */
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

export function discriminatorStep(d: Trainee, g: tf.LayersModel, real: tf.Tensor4D, z: tf.Tensor2D): DStepStats {
  return tf.tidy(() => {
    const fake = keepingStatistics(g, () => g.apply(z, { training: true }) as tf.Tensor4D);
    let dReal!: tf.Scalar;
    let dFake!: tf.Scalar;
    const { value, grads } = gradientsOf(trainableVariables(d.model), () => {
      const realLogits = d.model.apply(real, { training: true }) as tf.Tensor;
      const fakeLogits = d.model.apply(fake, { training: true }) as tf.Tensor;
      dReal = tf.keep(tf.sigmoid(realLogits).mean() as tf.Scalar);
      dFake = tf.keep(tf.sigmoid(fakeLogits).mean() as tf.Scalar);
      return discriminatorLoss(realLogits, fakeLogits);
    });
    d.optimizer.apply(grads);
    return { lossD: value, dReal, dFake, gradNormD: globalNorm(grads) };
  });
}

export function generatorStep(g: Trainee, d: tf.LayersModel, z: tf.Tensor2D, loss: LossName): GStepStats {
  return tf.tidy(() =>
    keepingStatistics(d, () => {
      const { value, grads } = gradientsOf(trainableVariables(g.model), () => {
        const fake = g.model.apply(z, { training: true }) as tf.Tensor4D;
        return generatorLoss(d.apply(fake, { training: true }) as tf.Tensor, loss);
      });
      g.optimizer.apply(grads);
      return { lossG: value, gradNormG: globalNorm(grads) };
    }),
  );
}
