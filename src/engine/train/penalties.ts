/**
 * Gradient penalties on D: each needs ∇ₓD(x) inside the loss, so training
 * takes a gradient of a gradient (the zero gradients of comparison kernels
 * that activateBackend registers make that work through ReLU and LeakyReLU).
 * - wgan-gp: λ·E[(‖∇D(x̂)‖₂ − 1)²], x̂ = ε·x + (1 − ε)·G(z), ε ~ U(0, 1) per image (Gulrajani et al.);
 * - r1: γ/2·E[‖∇D(x)‖²] on reals, r2: the same on fakes (Mescheder et al.).
 */
import * as tf from '@tensorflow/tfjs';

export type PenaltyKind = 'wgan-gp' | 'r1' | 'r2' | 'r1+r2';

/** ‖∇ₓ Σ D(x)‖² per image: the squared norm of each image's own gradient (D acts per image). */
export function gradientSquaredNorms(dOf: (x: tf.Tensor4D) => tf.Tensor, x: tf.Tensor4D): tf.Tensor1D {
  const grad = tf.grad((input: tf.Tensor) => dOf(input as tf.Tensor4D).sum())(x);
  return grad.square().sum([1, 2, 3]) as tf.Tensor1D;
}

export interface PenaltyInputs {
  real: tf.Tensor4D;
  fake: tf.Tensor4D;
  /** wgan-gp: the interpolation weights, one per image. */
  epsilon?: Float32Array;
}

/** The penalty, weight included (lazy scaling is the caller's). */
export function gradientPenalty(
  kind: PenaltyKind,
  dOf: (x: tf.Tensor4D) => tf.Tensor,
  inputs: PenaltyInputs,
  weight: number,
): tf.Scalar {
  return tf.tidy(() => {
    const { real, fake } = inputs;
    switch (kind) {
      case 'wgan-gp': {
        const n = real.shape[0];
        const eps = tf.tensor4d(inputs.epsilon ?? new Float32Array(n).fill(0.5), [n, 1, 1, 1]);
        const xhat = real.mul(eps).add(fake.mul(tf.sub(1, eps))) as tf.Tensor4D;
        const norms = gradientSquaredNorms(dOf, xhat).add(1e-12).sqrt();
        return norms.sub(1).square().mean().mul(weight) as tf.Scalar;
      }
      case 'r1':
        return gradientSquaredNorms(dOf, real)
          .mean()
          .mul(weight / 2) as tf.Scalar;
      case 'r2':
        return gradientSquaredNorms(dOf, fake)
          .mean()
          .mul(weight / 2) as tf.Scalar;
      case 'r1+r2':
        return gradientSquaredNorms(dOf, real)
          .mean()
          .add(gradientSquaredNorms(dOf, fake).mean())
          .mul(weight / 2) as tf.Scalar;
    }
  });
}
