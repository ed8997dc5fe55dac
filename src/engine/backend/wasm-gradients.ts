/**
 * LeakyReLU's gradient on the wasm backend as dy · Step(x, α) (two SIMD-friendly
 * kernels) instead of tfjs's Select(Greater(x, 0), dy, dy · α): about 10× faster on
 * the wasm backend (64×32×32×64: 23.6 → 2.3 ms), where the stock Greater and Select
 * are scalar loops. Bit-identical there: x > 0 gives dy · 1 = dy, otherwise dy · α in
 * both (they differ only for NaN in x, which the Step form propagates).
 *
 * Where GAN Studio's wasm module runs, the product is one fused pass,
 * `GanStudioLeakyReluGrad` (./wasm-elementwise.ts), with the same bits.
 *
 * Gradients are registered per kernel name for every backend, so this one checks the
 * active backend when it runs: anything but `wasm` (and non-float32 x) goes to tfjs's
 * own gradient function, unchanged. Second-order gradients (WGAN-GP, R1) still work:
 * Multiply has a gradient and Step's is zero, as Greater's is.
 */
import * as tf from '@tensorflow/tfjs';
import { LEAKY_RELU_GRAD, leakyReluGradAvailable } from './wasm-elementwise';

let stock: tf.GradConfig | undefined;

/** dy · Step(x, α) as one kernel; its own gradient (for second-order penalties) is g · Step(x, α) for dy, 0 for x. */
function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, { alpha } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function registerFusedGradGradient(): void {
  if (tf.getGradient(LEAKY_RELU_GRAD) != null) return;
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (g, saved, attrs) => {
      const x = saved[0];
      const gg = Array.isArray(g) ? g[0] : g;
      const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
      return { dy: () => leakyReluGrad(gg, x, alpha), x: () => tf.zerosLike(x) };
    },
  });
}
let enabled = true;

/** For benchmarks: false makes the wasm backend use tfjs's own LeakyRelu gradient too. */
export function setWasmLeakyReluGradient(on: boolean): void {
  enabled = on;
}

/** Installs the backend-aware LeakyRelu gradient once (idempotent). Returns whether this call installed it. */
export function registerWasmLeakyReluGradient(): boolean {
  if (stock != null) return false;
  registerFusedGradGradient();
  const own = tf.getGradient('LeakyRelu');
  if (own == null) return false;
  stock = own;
  const stockGrad = own;
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: stockGrad.inputsToSave ?? ['x'],
    outputsToSave: stockGrad.outputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const d = Array.isArray(dy) ? dy[0] : dy;
      if (!enabled || tf.getBackend() !== 'wasm' || x == null || x.dtype !== 'float32' || d.dtype !== 'float32') {
        return stockGrad.gradFunc(dy, saved, attrs);
      }
      const alpha = (attrs as unknown as tf.LeakyReluAttrs).alpha;
      if (leakyReluGradAvailable(tf.backend())) return { x: () => leakyReluGrad(d, x as tf.Tensor, alpha) };
      return { x: () => tf.mul(d, tf.step(x, alpha)) };
    },
  });
  return true;
}
