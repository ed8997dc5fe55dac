/**
 * Zero gradients for piecewise-constant kernels that tfjs 4.22 has no gradient for.
 *
 * First-order training never differentiates them, but a gradient of a gradient does
 * (WGAN-GP, R1): the gradient of leakyReLU is built from `Greater` + `Select`, and the
 * second pass then fails with "gradient function not found for Greater". Their true
 * derivative is zero almost everywhere, so a zero gradient is exact. Backend-agnostic.
 */
import * as tf from '@tensorflow/tfjs';

const BINARY = ['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual'] as const;
const UNARY = ['Sign'] as const;

/** Kernels that `registerZeroGradients` covers. */
export const ZERO_GRADIENT_KERNELS: readonly string[] = [...BINARY, ...UNARY];

function hasGradient(kernelName: string): boolean {
  return tf.getGradient(kernelName) != null;
}

/**
 * Registers a zero gradient for each of ZERO_GRADIENT_KERNELS that has none yet
 * (idempotent; a gradient tfjs or someone else registered is kept). Returns the
 * names registered by this call.
 */
export function registerZeroGradients(): string[] {
  const added: string[] = [];
  for (const kernelName of BINARY) {
    if (hasGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ['a', 'b'],
      gradFunc: (_dy, saved) => {
        const [a, b] = saved as tf.Tensor[];
        return { a: () => tf.zeros(a.shape, 'float32'), b: () => tf.zeros(b.shape, 'float32') };
      },
    });
    added.push(kernelName);
  }
  for (const kernelName of UNARY) {
    if (hasGradient(kernelName)) continue;
    tf.registerGradient({
      kernelName,
      gradFunc: (dy) => {
        const d = Array.isArray(dy) ? dy[0] : dy;
        return { x: () => tf.zeros(d.shape, 'float32') };
      },
    });
    added.push(kernelName);
  }
  return added;
}
