/**
 * GAN losses on D's outputs (logits for the BCE losses, raw scores otherwise).
 * softplus(x) = log(1 + eˣ) gives the BCE terms without ever forming
 * sigmoid(x), so large logits don't turn into log(0):
 *   −log σ(x) = softplus(−x),   −log(1 − σ(x)) = softplus(x),
 * and for a target t:  BCE(x, t) = softplus(x) − t·x.
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../../shared/config';

/** Per-sample targets for D (label smoothing and flipping); null: 1 for reals, 0 for fakes. */
export interface DTargets {
  real: tf.Tensor | null;
  fake: tf.Tensor | null;
}

/** D's BCE: −log D(x) − log(1 − D(G(z))), averaged over each batch. */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.softplus(realLogits.neg()).mean().add(tf.softplus(fakeLogits).mean()) as tf.Scalar);
}

/** BCE with logits x and targets t (any real t; t = 1 and 0 give the two terms above). */
function bce(x: tf.Tensor, t: tf.Tensor | null, dflt: 0 | 1): tf.Tensor {
  if (t === null) return dflt === 1 ? tf.softplus(x.neg()) : tf.softplus(x);
  return tf.softplus(x).sub(x.mul(t.reshape(x.shape)));
}

/**
 * D's loss for each GAN loss.
 * - minimax, nonsaturating: BCE, reals → 1 (or the smoothed target), fakes → 0.
 * - wgan, wgan-gp: E[D(G(z))] − E[D(x)] (the critic maximises the difference).
 * - hinge: E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))].
 * - lsgan: ½E[(D(x) − 1)²] + ½E[D(G(z))²] (targets replace 1 and 0 when given).
 * - rpgan: E[softplus(−(D(x_i) − D(G(z_i))))], over pairs of a real and a fake (R3GAN).
 */
export function discriminatorLossFor(
  loss: LossName,
  real: tf.Tensor,
  fake: tf.Tensor,
  targets: DTargets = { real: null, fake: null },
): tf.Scalar {
  return tf.tidy(() => {
    switch (loss) {
      case 'minimax':
      case 'nonsaturating':
        return bce(real, targets.real, 1)
          .mean()
          .add(bce(fake, targets.fake, 0).mean()) as tf.Scalar;
      case 'wgan':
      case 'wgan-gp':
        return fake.mean().sub(real.mean()) as tf.Scalar;
      case 'hinge':
        return tf
          .relu(tf.sub(1, real))
          .mean()
          .add(tf.relu(tf.add(1, fake)).mean()) as tf.Scalar;
      case 'lsgan': {
        const tr = targets.real ? targets.real.reshape(real.shape) : tf.onesLike(real);
        const tfk = targets.fake ? targets.fake.reshape(fake.shape) : tf.zerosLike(fake);
        return real.sub(tr).square().mean().mul(0.5).add(fake.sub(tfk).square().mean().mul(0.5)) as tf.Scalar;
      }
      case 'rpgan':
        return tf.softplus(tf.sub(fake, real.reshape(fake.shape))).mean() as tf.Scalar;
    }
  });
}

/**
 * G's loss.
 * - nonsaturating: −log D(G(z)). Strong gradients while D still wins easily.
 * - minimax: log(1 − D(G(z))), the original game; its gradient vanishes early on.
 * - wgan, wgan-gp, hinge: −E[D(G(z))].
 * - lsgan: ½E[(D(G(z)) − 1)²].
 * - rpgan: E[softplus(−(D(G(z_i)) − D(x_i)))]: needs D's scores of a real batch, `realLogits`.
 */
export function generatorLoss(fakeLogits: tf.Tensor, loss: LossName, realLogits?: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    switch (loss) {
      case 'nonsaturating':
        return tf.softplus(fakeLogits.neg()).mean() as tf.Scalar;
      case 'minimax':
        return tf.softplus(fakeLogits).mean().neg() as tf.Scalar;
      case 'wgan':
      case 'wgan-gp':
      case 'hinge':
        return fakeLogits.mean().neg() as tf.Scalar;
      case 'lsgan':
        return fakeLogits.sub(1).square().mean().mul(0.5) as tf.Scalar;
      case 'rpgan':
        if (!realLogits) throw new Error('loss rpgan: the G step needs D(x) of a real batch');
        return tf.softplus(tf.sub(realLogits.reshape(fakeLogits.shape), fakeLogits)).mean() as tf.Scalar;
    }
  });
}

/** Whether D's output is a logit whose sigmoid is a probability (the BCE losses). */
export function outputIsLogit(loss: LossName): boolean {
  return loss === 'minimax' || loss === 'nonsaturating';
}
