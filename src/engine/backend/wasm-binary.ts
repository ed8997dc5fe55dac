/**
 * `Add`, `Sub`, `Multiply`, `RealDiv` and `Square` (float32) on GAN Studio's wasm module (session 9).
 *
 * The stock kernels are XNNPACK's, and on the threaded build each call goes through
 * XNNPACK's own pthreadpool: on dcgan-28 at 2 threads ~125 small calls per step (the
 * BatchNorm gradient's chain, the gradient norms) took 5× their single-thread time on a
 * loaded machine (bench/pool-share.ts), every call a hand-off to a thread that may be
 * asleep. Here they run in one SIMD pass on the calling thread, split across the GEMM
 * pool only when large (≥ 64 K floats). Each output is the same single f32 operation as
 * XNNPACK's, so the bits are the same as the stock kernels' and independent of threads.
 *
 * Shapes: equal sizes with the same shape; one side a scalar; or one side's shape the
 * trailing part of the other's (a per-channel vector against NHWC, [1, C] against [N, C],
 * written as [C] repeated). Anything else (other broadcasts, non-float32) runs the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmElementwise } from './wasm-gemm';
import { heapAddress, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

type Args = { inputs: tf.NamedTensorInfoMap; backend: KernelBackend; attrs?: tf.NamedAttrMap };

const size = (s: number[]): number => s.reduce((p, q) => p * q, 1);

let enabled = true;
/** For before/after benchmarks: false sends these four kernels back to XNNPACK's. Returns the previous setting. */
export function setWasmBinaryEnabled(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** The small side's shape without leading 1s is a suffix of the big side's (so it repeats along the big one). */
function trailing(small: number[], big: number[]): boolean {
  let i = 0;
  while (i < small.length && small[i] === 1) i++;
  const s = small.slice(i);
  if (s.length > big.length) return false;
  const tail = big.slice(big.length - s.length);
  return s.every((d, k) => d === tail[k]);
}

function binary(name: 'Add' | 'Sub' | 'Multiply' | 'RealDiv', op: number, args: Args): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  const mod = enabled ? wasmElementwise(backend) : null;
  if (a == null || b == null || mod == null || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runWasm(backend, name, inputs);
  }
  const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const [na, nb, no] = [size(a.shape), size(b.shape), size(out)];
  let side: number;
  let len: number;
  if (na === no && nb === no && a.shape.length === b.shape.length) {
    side = 0;
    len = no;
  } else if (na === no && trailing(b.shape, out)) {
    side = 1;
    len = nb;
  } else if (nb === no && trailing(a.shape, out)) {
    side = 2;
    len = na;
  } else {
    return runWasm(backend, name, inputs);
  }
  const o = (backend as unknown as BackendWasm).makeOutput(out, 'float32');
  if (no > 0) mod.binop(op, heapAddress(backend, a), heapAddress(backend, b), heapAddress(backend, o), no, len, side);
  return o;
}

export const addWasm = (args: Args): TensorInfo => binary('Add', 0, args);
export const subWasm = (args: Args): TensorInfo => binary('Sub', 1, args);
export const multiplyWasm = (args: Args): TensorInfo => binary('Multiply', 2, args);
export const realDivWasm = (args: Args): TensorInfo => binary('RealDiv', 3, args);

/** Square: x·x, one f32 multiply per element (as XNNPACK's square). */
export function squareWasm(args: Args): TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  const mod = enabled ? wasmElementwise(backend) : null;
  if (x == null || mod == null || x.dtype !== 'float32') return runWasm(backend, 'Square', inputs);
  const o = (backend as unknown as BackendWasm).makeOutput(x.shape, 'float32');
  const n = size(x.shape);
  const xa = heapAddress(backend, x);
  if (n > 0) mod.binop(2, xa, xa, heapAddress(backend, o), n, n, 0);
  return o;
}
