/**
 * LeakyRelu and its gradient for the wasm backend.
 *
 * The stock wasm LeakyRelu is a scalar loop: 4–6 ms on a 64×14×14×64 map. Where GAN
 * Studio's wasm module runs (./wasm-gemm.ts; the element-wise code is
 * scripts/wasm-gemm/gen-elementwise.mjs), LeakyRelu is one SIMD pass, max(x, α·x), split
 * across the GEMM pool's threads on the threaded build; the gradient dy · Step(x, α) is
 * one pass too (`GanStudioLeakyReluGrad`, used by ./wasm-gradients.ts). Elsewhere
 * (GAN_STUDIO_WASM_GEMM=off, no relaxed SIMD) LeakyRelu is relu(x)·(1 − α) + x·α from
 * XNNPACK's element-wise kernels, and the gradient Step + Multiply. A JS loop over the
 * heap is no better than the stock loops here (about 5 ns per element).
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmElementwise } from './wasm-gemm';
import { heapAddress, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

type Args = { inputs: tf.NamedTensorInfoMap; backend: KernelBackend; attrs?: tf.NamedAttrMap };

/** A float32 scalar on the wasm heap (caller frees). */
function scalar(backend: KernelBackend, value: number): TensorInfo {
  return runWasm(backend, 'Fill', {}, { shape: [], value, dtype: 'float32' });
}

/** The i32 bits of a float32 (the module takes its f32 scalars as i32). */
function f32Bits(v: number): number {
  return new Int32Array(new Float32Array([v]).buffer)[0];
}

/**
 * out = x < 0 ? α·x : x. On the module: max(x, α·x), exactly the definition for
 * 0 ≤ α ≤ 1. Else relu(x)·(1 − α) + x·α: three XNNPACK element-wise kernels (SIMD)
 * instead of the stock scalar loop, equal to the definition up to rounding.
 */
export function leakyReluWasm(args: Args): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x;
  const alpha = (args.attrs as unknown as tf.LeakyReluAttrs).alpha;
  if (x == null || x.dtype !== 'float32' || !(alpha >= 0 && alpha <= 1)) {
    return runWasm(backend, 'LeakyRelu', inputs, args.attrs as Record<string, unknown>);
  }
  const gemm = wasmElementwise(backend);
  if (gemm != null) {
    const out = (backend as unknown as BackendWasm).makeOutput(x.shape, 'float32');
    const xa = heapAddress(backend, x);
    const oa = heapAddress(backend, out);
    const n = x.shape.reduce((p, q) => p * q, 1);
    const ab = f32Bits(alpha);
    gemm.elementwise('leaky', n, (o, c) => [xa + o * 4, oa + o * 4, c, ab]);
    return out;
  }
  const temps: TensorInfo[] = [];
  try {
    const a = scalar(backend, alpha);
    temps.push(a);
    const b = scalar(backend, 1 - alpha);
    temps.push(b);
    const r = runWasm(backend, 'Relu', { x });
    temps.push(r);
    const rb = runWasm(backend, 'Multiply', { a: r, b });
    temps.push(rb);
    const xa = runWasm(backend, 'Multiply', { a: x, b: a });
    temps.push(xa);
    return runWasm(backend, 'Add', { a: rb, b: xa });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** The name of the fused gradient kernel (wasm only; see ./wasm-gradients.ts). */
export const LEAKY_RELU_GRAD = 'GanStudioLeakyReluGrad';

/** Whether `GanStudioLeakyReluGrad` can run on this backend now (the module is there). */
export function leakyReluGradAvailable(backend: unknown): boolean {
  return wasmElementwise(backend) != null;
}

/**
 * `GanStudioLeakyReluGrad` {dy, x} {alpha}: dy · Step(x, α) in one pass, the same
 * products as tfjs's Step + Multiply (dy · 1 = dy where x > 0, dy · α elsewhere, NaN
 * where x is NaN). Its caller checks leakyReluGradAvailable first.
 */
export function leakyReluGradWasm(args: Args): TensorInfo {
  const { inputs, backend } = args;
  const { dy, x } = inputs;
  const alpha = (args.attrs as unknown as tf.LeakyReluAttrs).alpha;
  const gemm = wasmElementwise(backend);
  if (dy == null || x == null || gemm == null || dy.dtype !== 'float32' || x.dtype !== 'float32') {
    throw new Error(`${LEAKY_RELU_GRAD}: float32 dy and x on the wasm module only`);
  }
  const n = x.shape.reduce((p, q) => p * q, 1);
  if (dy.shape.reduce((p, q) => p * q, 1) !== n) {
    throw new Error(`${LEAKY_RELU_GRAD}: dy [${dy.shape}] and x [${x.shape}] differ in size`);
  }
  const out = (backend as unknown as BackendWasm).makeOutput(x.shape, 'float32');
  const da = heapAddress(backend, dy);
  const xa = heapAddress(backend, x);
  const oa = heapAddress(backend, out);
  const ab = f32Bits(alpha);
  gemm.elementwise('leakyGrad', n, (o, c) => [da + o * 4, xa + o * 4, oa + o * 4, c, ab]);
  return out;
}
