/**
 * `Tile` for the wasm backend, by block copies on the wasm heap.
 *
 * The stock wasm Tile computes every output index on its own; BatchNorm's gradient
 * tiles a [1, 1, 1, C] vector to the full [N, H, W, C] activation shape, which took
 * 110–425 ms per training step. Here x is first placed at the first tile position,
 * then each dimension, innermost first, is replicated by doubling `copyWithin`
 * (contiguous block copies), so broadcasting a small tensor costs about one memset
 * of the output. Works for every numeric dtype; strings go to the stock kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

type Heap = Float32Array | Int32Array | Uint8Array;

/** Copies heap[src, src + len) to dst, src + len <= dst, `times` more times after it (doubling). */
function replicate(heap: Heap, start: number, len: number, times: number): void {
  let have = len; // floats already in place from `start`
  const total = len * (times + 1);
  while (have < total) {
    const n = Math.min(have, total - have);
    heap.copyWithin(start + have, start, start + n);
    have += n;
  }
}

export function tileWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x;
  const reps = (args.attrs as unknown as tf.TileAttrs).reps;
  if (x == null) throw new Error('Tile (wasm): input x is required');
  if (x.dtype === 'string') return runWasm(backend, 'Tile', inputs, args.attrs as Record<string, unknown>);
  const r = x.shape.length;
  if (reps.length !== r)
    throw new Error(`Tile (wasm): reps [${reps}] must have one entry per dimension of x [${x.shape}]`);
  const wasm = backend as unknown as BackendWasm;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = wasm.makeOutput(outShape, x.dtype);
  const size = outShape.reduce((p, q) => p * q, 1);
  if (size === 0) return out;
  if (r === 0) {
    wasm.typedArrayFromHeap(out).set(wasm.typedArrayFromHeap(x));
    return out;
  }
  const src = wasm.typedArrayFromHeap(x) as Heap;
  const dst = wasm.typedArrayFromHeap(out) as Heap;
  // Output strides.
  const ostr = new Array<number>(r);
  ostr[r - 1] = 1;
  for (let i = r - 2; i >= 0; i--) ostr[i] = ostr[i + 1] * outShape[i + 1];
  // 1. x at tile position 0 of every dimension: contiguous runs of its last dimension.
  const last = x.shape[r - 1];
  const runs = src.length / last;
  const idx = new Array<number>(r).fill(0);
  for (let k = 0; k < runs; k++) {
    let o = 0;
    for (let d = 0; d < r - 1; d++) o += idx[d] * ostr[d];
    dst.set(src.subarray(k * last, (k + 1) * last), o);
    for (let d = r - 2; d >= 0; d--) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  // 2. Replicate dimension d (innermost first): for every prefix index within x's extent,
  //    the block [i_0..i_{d-1}, 0 .. x.shape[d]) of x.shape[d]·ostr[d] values is complete;
  //    copy it reps[d] − 1 more times after itself.
  for (let d = r - 1; d >= 0; d--) {
    if (reps[d] === 1) continue;
    const len = x.shape[d] * ostr[d];
    let prefixes = 1;
    for (let e = 0; e < d; e++) prefixes *= x.shape[e];
    const pidx = new Array<number>(d).fill(0);
    for (let k = 0; k < prefixes; k++) {
      let o = 0;
      for (let e = 0; e < d; e++) o += pidx[e] * ostr[e];
      replicate(dst, o, len, reps[d] - 1);
      for (let e = d - 1; e >= 0; e--) {
        if (++pidx[e] < x.shape[e]) break;
        pidx[e] = 0;
      }
    }
  }
  return out;
}
