/**
 * GAN losses on D's logits. softplus(x) = log(1 + eˣ) gives the BCE terms
 * without ever forming sigmoid(x), so large logits don't turn into log(0):
 *   −log σ(x) = softplus(−x),   −log(1 − σ(x)) = softplus(x).
 */
import * as tf from '@tensorflow/tfjs';
import type { LossName } from '../../shared/config';

/** D's BCE: −log D(x) − log(1 − D(G(z))), averaged over each batch. */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.softplus(realLogits.neg()).mean().add(tf.softplus(fakeLogits).mean()) as tf.Scalar);
}

/**
 * G's loss.
 * - nonsaturating: −log D(G(z)). Strong gradients while D still wins easily.
 * - minimax: log(1 − D(G(z))), the original game; its gradient vanishes early on.
 */
export function generatorLoss(fakeLogits: tf.Tensor, loss: LossName): tf.Scalar {
  return tf.tidy(() => {
    switch (loss) {
      case 'nonsaturating':
        return tf.softplus(fakeLogits.neg()).mean() as tf.Scalar;
      case 'minimax':
        return tf.softplus(fakeLogits).mean().neg() as tf.Scalar;
    }
  });
}
