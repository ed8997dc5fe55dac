/**
 * `Sum` and `Mean` over leading axes for the wasm backend.
 *
 * The stock wasm reductions first transpose x so that the reduced axes come last,
 * a full copy through the slow generic transpose path, then reduce. Training
 * reduces NHWC activations over [N, H, W] all the time (BatchNorm statistics and
 * gradients, bias gradients): that is a column sum of an [M, C] matrix, done here
 * in one pass over the wasm heap with float64 accumulators, about 2.5× faster than
 * the stock path as a JS loop, and faster again as SIMD on GAN Studio's wasm module
 * (./wasm-gemm.ts, the same sums in the same order) where that runs. (A ones-vector matMul looks faster in a micro-benchmark that
 * reuses one tensor, but BatchMatMul packs its second operand on every new
 * tensor, and in a training step it was slower.) Any other reduction
 * (trailing axes, mixed axes, non-float32) goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmElementwise } from './wasm-gemm';
import { heapAddress, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

/** k when the reduced axes are exactly [0, k) with 0 < k < rank, else 0. */
function leadingAxes(shape: number[], axis: number | number[]): number {
  const r = shape.length;
  const axes = tf.util
    .parseAxisParam(axis, shape)
    .slice()
    .sort((a, b) => a - b);
  const unique = axes.filter((a, i) => i === 0 || a !== axes[i - 1]);
  const k = unique.length;
  if (k === 0 || k >= r) return 0;
  for (let i = 0; i < k; i++) if (unique[i] !== i) return 0;
  return k;
}

function reduceLeading(
  kernel: 'Sum' | 'Mean',
  args: { inputs: tf.NamedTensorInfoMap; backend: KernelBackend; attrs?: tf.NamedAttrMap },
): TensorInfo {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as tf.SumAttrs;
  const x = inputs.x;
  const k = x == null || x.dtype !== 'float32' ? 0 : leadingAxes(x.shape, attrs.axis);
  if (x == null || k === 0) return runWasm(backend, kernel, inputs, args.attrs as Record<string, unknown>);
  const M = x.shape.slice(0, k).reduce((p, q) => p * q, 1);
  const inner = x.shape.slice(k);
  const L = inner.reduce((p, q) => p * q, 1);
  const outShape = attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...inner] : inner;
  const wasm = backend as unknown as BackendWasm;
  const out = wasm.makeOutput(outShape, 'float32');
  const scale = kernel === 'Mean' ? 1 / M : 1;
  const gemm = wasmElementwise(backend);
  if (gemm != null) {
    // The same float64 sums in the same order, in SIMD on the module (and across the pool's threads by columns).
    const acc = gemm.malloc(L * 8 + 8);
    try {
      const acc8 = (acc + 7) & ~7;
      gemm.columnSums(heapAddress(backend, x), M, L, L * 4, acc8);
      const sums = new Float64Array(gemm.buffer(), acc8, L);
      const dst = wasm.typedArrayFromHeap(out) as Float32Array;
      for (let c = 0; c < L; c++) dst[c] = sums[c] * scale;
    } finally {
      gemm.free(acc);
    }
    return out;
  }
  const src = wasm.typedArrayFromHeap(x) as Float32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  const acc = new Float64Array(L);
  let o = 0;
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < L; c++) acc[c] += src[o + c];
    o += L;
  }
  for (let c = 0; c < L; c++) dst[c] = acc[c] * scale;
  return out;
}

export function sumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  return reduceLeading('Sum', args);
}

export function meanWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  return reduceLeading('Mean', args);
}
