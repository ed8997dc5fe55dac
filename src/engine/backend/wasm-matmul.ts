/**
 * `BatchMatMul` with `transposeA` / `transposeB` for the wasm backend.
 *
 * The stock wasm kernel handles a transposed operand in a slow path (about 2 GFLOP/s
 * against 25–30 for a plain product; a dense layer's weight gradient z^T·dy took 63 ms
 * instead of 2.4). Here the transposed operand is transposed explicitly first, with a
 * 3-D wasm Transpose (the stock 2-D transpose path is up to 10× slower on large
 * matrices, so a 2-D transpose is run as a 3-D one by splitting a dimension), then
 * the stock plain BatchMatMul runs. Plain products go straight to the stock kernel.
 *
 * Where the relaxed-SIMD GEMM (./wasm-gemm.ts) runs, every float32 product uses it
 * instead (1.1–1.5× XNNPACK's plain matMul): transposeB is only a strided packing of b,
 * transposeA still the explicit transpose.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmGemm } from './wasm-gemm';
import { addBias, heapAddress, reshape, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

function smallestFactor(n: number): number {
  for (let f = 2; f * f <= n; f++) if (n % f === 0) return f;
  return n;
}

/**
 * [B, r, c] → [B, c, r] as a new buffer (caller frees). Size-1 sides are a reshape;
 * B = 1 is split into a genuine 3-D transpose when r or c has a factor.
 */
export function transposeLast2(backend: KernelBackend, x: TensorInfo): TensorInfo {
  const [B, r, c] = x.shape;
  if (r === 1 || c === 1) return reshape(backend, x, [B, c, r]);
  let out: TensorInfo;
  if (B > 1) {
    out = runWasm(backend, 'Transpose', { x }, { perm: [0, 2, 1] });
  } else {
    const fc = smallestFactor(c);
    const fr = smallestFactor(r);
    if (fc < c) {
      const v = reshape(backend, x, [r, fc, c / fc]);
      out = runWasm(backend, 'Transpose', { x: v }, { perm: [1, 2, 0] });
      backend.disposeData(v.dataId);
    } else if (fr < r) {
      const v = reshape(backend, x, [fr, r / fr, c]);
      out = runWasm(backend, 'Transpose', { x: v }, { perm: [2, 0, 1] });
      backend.disposeData(v.dataId);
    } else {
      out = runWasm(backend, 'Transpose', { x }, { perm: [0, 2, 1] });
    }
  }
  const shaped = reshape(backend, out, [B, c, r]);
  backend.disposeData(out.dataId);
  return shaped;
}

export function batchMatMulWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const viaGemm = gemmMatMul(backend, a, b, transposeA, transposeB);
  if (viaGemm != null) return viaGemm;
  if (
    (!transposeA && !transposeB) ||
    a == null ||
    b == null ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    a.shape.length < 2 ||
    b.shape.length < 2
  ) {
    return runWasm(backend, 'BatchMatMul', inputs, attrs as unknown as Record<string, unknown>);
  }
  const temps: TensorInfo[] = [];
  try {
    const as3 = (t: TensorInfo): TensorInfo => {
      const s = t.shape;
      const r = s.length;
      const t3 = reshape(backend, t, [s.slice(0, r - 2).reduce((p, q) => p * q, 1), s[r - 2], s[r - 1]]);
      temps.push(t3);
      return t3;
    };
    let a3 = as3(a);
    let b3 = as3(b);
    if (transposeA) {
      a3 = transposeLast2(backend, a3);
      temps.push(a3);
    }
    if (transposeB) {
      b3 = transposeLast2(backend, b3);
      temps.push(b3);
    }
    const prod = runWasm(backend, 'BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
    temps.push(prod);
    // Broadcast batch dims as the stock kernel does.
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return reshape(backend, prod, [...outer, prod.shape[1], prod.shape[2]]);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** The registered `_FusedMatMul` for wasm (dense layers): linear activation on the GEMM (+ bias by the stock Add), the rest stock. */
export function fusedMatMulWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
  const { a, b, bias, preluActivationWeights } = inputs;
  const linear = attrs.activation == null || attrs.activation === 'linear';
  const prod =
    linear && preluActivationWeights == null ? gemmMatMul(backend, a, b, attrs.transposeA, attrs.transposeB) : null;
  if (prod == null) return runWasm(backend, '_FusedMatMul', inputs, attrs as unknown as Record<string, unknown>);
  return bias == null ? prod : addBias(backend, prod, bias);
}

/**
 * a·b with the relaxed-SIMD GEMM, batch dims flattened (equal, or one side 1), or null
 * where it does not apply (no GEMM, not float32, other broadcasts): the caller's paths run.
 */
function gemmMatMul(
  backend: KernelBackend,
  a: TensorInfo | undefined,
  b: TensorInfo | undefined,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | null {
  if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const gemm = wasmGemm(backend);
  if (gemm == null) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, ra - 2);
  const batchB = b.shape.slice(0, rb - 2);
  const Ba = batchA.reduce((p, q) => p * q, 1);
  const Bb = batchB.reduce((p, q) => p * q, 1);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const Bo = outer.reduce((p, q) => p * q, 1);
  if (!((Ba === Bo && Bb === Bo) || (Ba === 1 && Bb === Bo) || (Bb === 1 && Ba === Bo))) return null;
  const [M, K] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [K2, N] = transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  if (K !== K2) {
    throw new Error(`BatchMatMul (wasm): inner dimensions ${K} and ${K2} of [${a.shape}] and [${b.shape}] must agree`);
  }
  const wasm = backend as unknown as BackendWasm;
  const temps: TensorInfo[] = [];
  try {
    let a3 = reshape(backend, a, [Ba, a.shape[ra - 2], a.shape[ra - 1]]);
    temps.push(a3);
    if (transposeA) {
      a3 = transposeLast2(backend, a3);
      temps.push(a3);
    }
    const out = wasm.makeOutput([...outer, M, N], 'float32');
    const [pa, pb, pc] = [heapAddress(backend, a3), heapAddress(backend, b), heapAddress(backend, out)];
    const [bRs, bCs] = transposeB ? [4, K * 4] : [N * 4, 4];
    for (let i = 0; i < Bo; i++) {
      const ia = Ba === 1 ? 0 : i;
      const ib = Bb === 1 ? 0 : i;
      gemm.sgemm(M, N, K, pa + ia * M * K * 4, K * 4, pb + ib * K * N * 4, bRs, bCs, pc + i * M * N * 4, N * 4);
    }
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
