/**
 * `Conv2DBackpropInput` for the wasm backend, as forward convolutions (XNNPACK).
 *
 * This kernel is the forward pass of every conv2dTranspose and the input gradient
 * of every conv2d. The stock wasm kernel is a plain loop (2–3 GFLOP/s here); this
 * one runs at the speed of the forward convolution.
 *
 * Sub-pixel decomposition. With filter W [kh, kw, Cb, Cs], strides s and top
 * padding pt, the transposed convolution is
 *   dx[Y] = Σ_{y, i : y·s + i − pt = Y} dy[y] · W[i]        (per dimension; channels contracted)
 * Split the output rows by phase ρ = Y mod s (Y = s·u + ρ) and write ρ + pt = s·c + r
 * (0 ≤ r < s). Only taps i = r + s·a (a = 0…A, A = ⌊(k−1−r)/s⌋) reach phase ρ, from
 * row y = u + c − a, so each phase is an ordinary stride-1 cross-correlation of dy
 * with a small sub-filter F[t] = W[r + s·(A − t)] (t = 0…A, flipped taps, channels
 * swapped) and padding A − c on top. Every phase (ρh, ρw) is one wasm `Conv2D` call
 * with exact output size ⌈(H − ρ)/s⌉, no wasted multiplications, and the s² phase
 * outputs are interleaved into dx with plain copies on the wasm heap.
 * With stride 1 there is one phase: a single flipped-filter convolution, no copy.
 *
 * Composed from stock wasm kernels at the backend level plus heap copies, every
 * intermediate freed through `backend.disposeData` (no engine tensors, no tape).
 * Supports NHWC and NCHW, pad 'same' / 'valid' / a number / explicit, any strides
 * and kernel sizes (kernels smaller than the stride included).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dOnWasm } from './wasm-conv-gemm';
import { wasmElementwise } from './wasm-gemm';
import { heapAddress, reshape, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/** One dimension of one phase: which taps, which dy rows, which padding, how many output rows. */
interface PhaseDim {
  /** Output rows (or columns) of this phase: ⌈(H − ρ)/s⌉. */
  size: number;
  /** First tap r and tap count K (taps r, r + s, …, r + s·(K−1)); K = 0: no tap reaches this phase. */
  r: number;
  K: number;
  /** dy rows [from, to) used, and zero padding before/after them. */
  from: number;
  to: number;
  padBefore: number;
  padAfter: number;
}

function phaseDim(rho: number, s: number, k: number, pt: number, H: number, h: number): PhaseDim {
  const size = Math.max(0, Math.ceil((H - rho) / s));
  const r = (rho + pt) % s;
  const c = Math.floor((rho + pt) / s);
  const K = r < k ? Math.floor((k - 1 - r) / s) + 1 : 0;
  // Padded dy length = P + h + Pb with P = (K−1) − c; output length = padded − K + 1 = size.
  const P = K - 1 - c;
  const Pb = size + K - 1 - P - h;
  const from = Math.max(0, -P);
  const to = h - Math.max(0, -Pb);
  return { size, r, K, from, to, padBefore: Math.max(0, P), padAfter: Math.max(0, Pb) };
}

/** Up to this many output channels (sH·sW·Cb), all phases run as one convolution. */
const COMBINED_MAX_CHANNELS = 48;

export type ConvInputStrategy = 'auto' | 'phases' | 'combined';
let strategy: ConvInputStrategy = 'auto';

/** For tests and benchmarks: force one of the two strided paths. Returns the previous setting. */
export function setConvInputStrategyForTests(s: ConvInputStrategy): ConvInputStrategy {
  const prev = strategy;
  strategy = s;
  return prev;
}

/** Below this many floats per pixel a JS loop copies faster than TypedArray.set(subarray). */
const SHORT_RUN = 16;

export function conv2DBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const dy0 = inputs.dy;
  const filter = inputs.filter;
  if (dy0 == null || filter == null) throw new Error('Conv2DBackpropInput (wasm): inputs dy and filter are required');
  if (dy0.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropInput (wasm): float32 inputs only, got dy ${dy0.dtype}, filter ${filter.dtype}`);
  }
  if (dy0.shape.length !== 4 || filter.shape.length !== 4 || inputShape.length !== 4) {
    throw new Error(`Conv2DBackpropInput (wasm): dy, filter and inputShape must be rank 4`);
  }
  const nchw = dataFormat === 'NCHW';
  if (dataFormat != null && dataFormat !== 'NHWC' && !nchw) {
    throw new Error(`Conv2DBackpropInput (wasm): unsupported dataFormat '${String(dataFormat)}'`);
  }
  const [N, H, W, Cb] = (nchw ? [inputShape[0], inputShape[2], inputShape[3], inputShape[1]] : inputShape) as [
    number,
    number,
    number,
    number,
  ];
  const [kh, kw, fIn, Cs] = filter.shape as [number, number, number, number];
  if (fIn !== Cb) throw new Error(`Conv2DBackpropInput (wasm): filter in-channels ${fIn} != input channels ${Cb}`);
  const info = tf.backend_util.computeConv2DInfo(
    [N, H, W, Cb],
    [kh, kw, Cb, Cs],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const h = info.outHeight;
  const w = info.outWidth;
  const sH = info.strideHeight;
  const sW = info.strideWidth;
  const dyNhwc = nchw ? [dy0.shape[0], dy0.shape[2], dy0.shape[3], dy0.shape[1]] : dy0.shape;
  if (dyNhwc[0] !== N || dyNhwc[1] !== h || dyNhwc[2] !== w || dyNhwc[3] !== Cs) {
    throw new Error(
      `Conv2DBackpropInput (wasm): dy shape [${dy0.shape}] does not match the convolution (expected NHWC [${N}, ${h}, ${w}, ${Cs}])`,
    );
  }

  const wasm = backend as unknown as BackendWasm;
  const temps: TensorInfo[] = [];
  const keep = <T extends TensorInfo>(t: T): T => {
    temps.push(t);
    return t;
  };
  try {
    const dy = nchw ? keep(runWasm(backend, 'Transpose', { x: dy0 }, { perm: [0, 2, 3, 1] })) : dy0;
    // Filter with the channels swapped: [kh, kw, Cs, Cb] (a 4-D transpose, the fast wasm path).
    // On GAN Studio's module: one SIMD [Cb, Cs] → [Cs, Cb] transpose per tap (split across the
    // pool), where the stock 4-D Transpose was ~1.8 % of a dcgan-64 step (session 9).
    const mod0 = filter.dtype === 'float32' ? wasmElementwise(backend) : null;
    let wt: TensorInfo;
    if (mod0 != null) {
      wt = keep(wasm.makeOutput([kh, kw, Cs, Cb], 'float32'));
      const [fa, wa] = [heapAddress(backend, filter), heapAddress(backend, wt)];
      mod0.moves(
        'transpose',
        Array.from({ length: kh * kw }, (_, t) => [fa + t * Cb * Cs * 4, Cb, Cs, Cs * 4, wa + t * Cs * Cb * 4, Cb * 4]),
      );
    } else {
      wt = keep(runWasm(backend, 'Transpose', { x: filter }, { perm: [0, 1, 3, 2] }));
    }
    const block = Cs * Cb;
    const rows: PhaseDim[] = Array.from({ length: sH }, (_, rho) => phaseDim(rho, sH, kh, info.padInfo.top, H, h));
    const cols: PhaseDim[] = Array.from({ length: sW }, (_, rho) => phaseDim(rho, sW, kw, info.padInfo.left, W, w));

    /** dy without the rows/columns a convolution never reads (only with unusual explicit padding). */
    const cropDy = (ph: Pick<PhaseDim, 'from' | 'to'>, pw: Pick<PhaseDim, 'from' | 'to'>): TensorInfo => {
      if (ph.from === 0 && ph.to === h && pw.from === 0 && pw.to === w) return dy;
      const x = keep(wasm.makeOutput([N, ph.to - ph.from, pw.to - pw.from, Cs], 'float32'));
      const all = wasm.typedArrayFromHeap(dy);
      const out = wasm.typedArrayFromHeap(x);
      const run = (pw.to - pw.from) * Cs;
      let d = 0;
      for (let n = 0; n < N; n++) {
        for (let y = ph.from; y < ph.to; y++) {
          const o = ((n * h + y) * w + pw.from) * Cs;
          out.set(all.subarray(o, o + run), d);
          d += run;
        }
      }
      return x;
    };

    /** One phase as a stride-1 forward convolution, or null when it is all zeros. */
    const phase = (ph: PhaseDim, pw: PhaseDim): TensorInfo | null => {
      if (ph.size === 0 || pw.size === 0 || ph.K === 0 || pw.K === 0 || ph.to <= ph.from || pw.to <= pw.from)
        return null;
      // Sub-filter F[t, u] = W[rh + sH·(Kh−1−t), rw + sW·(Kw−1−u)], each tap a contiguous Cs·Cb block.
      const f = keep(wasm.makeOutput([ph.K, pw.K, Cs, Cb], 'float32'));
      const x = cropDy(ph, pw);
      // Heap views only after the last allocation (growing the heap detaches old views).
      const src = wasm.typedArrayFromHeap(wt);
      const dst = wasm.typedArrayFromHeap(f);
      for (let t = 0; t < ph.K; t++) {
        const i = ph.r + sH * (ph.K - 1 - t);
        for (let u = 0; u < pw.K; u++) {
          const j = pw.r + sW * (pw.K - 1 - u);
          const o = (i * kw + j) * block;
          dst.set(src.subarray(o, o + block), (t * pw.K + u) * block);
        }
      }
      const pads = [
        [0, 0],
        [ph.padBefore, ph.padAfter],
        [pw.padBefore, pw.padAfter],
        [0, 0],
      ];
      return keep(
        conv2dOnWasm(backend, x, f, { strides: 1, pad: pads as ExplicitPad, dataFormat: 'NHWC', dilations: 1 }),
      );
    };

    /**
     * Few output channels (an image layer: Cb = 1 or 3): XNNPACK is slow with so few
     * output channels, so all s² phases go into ONE convolution with sH·sW·Cb output
     * channels. The phases are then taken on a common grid of padded-input rows
     * U = s·u + r (U = Y + pt): sub-filter taps are zero where a phase has fewer, and
     * the grid has at most one extra row and column; the interleave crops them.
     */
    const combined = (): TensorInfo => {
      const pt = info.padInfo.top;
      const pl = info.padInfo.left;
      const Ka = Math.ceil(kh / sH);
      const Kb = Math.ceil(kw / sW);
      const u0 = Math.floor(pt / sH);
      const v0 = Math.floor(pl / sW);
      const Uh = Math.floor((pt + H - 1) / sH) - u0 + 1;
      const Uw = Math.floor((pl + W - 1) / sW) - v0 + 1;
      const dimOf = (K: number, u0_: number, size: number, n: number): Omit<PhaseDim, 'r' | 'K'> => {
        const P = K - 1 - u0_;
        const Pb = size + K - 1 - P - n;
        return {
          size,
          from: Math.max(0, -P),
          to: n - Math.max(0, -Pb),
          padBefore: Math.max(0, P),
          padAfter: Math.max(0, Pb),
        };
      };
      const ph = dimOf(Ka, u0, Uh, h);
      const pw = dimOf(Kb, v0, Uw, w);
      const C4 = sH * sW * Cb;
      const f = keep(wasm.makeOutput([Ka, Kb, Cs, C4], 'float32'));
      const x = cropDy(ph, pw);
      const fv = wasm.typedArrayFromHeap(f);
      const wv = wasm.typedArrayFromHeap(wt);
      fv.fill(0);
      // F[t, u, cs, (rh·sW + rw)·Cb + cb] = Wt[rh + sH·(Ka−1−t), rw + sW·(Kb−1−u), cs, cb].
      for (let t = 0; t < Ka; t++) {
        for (let u = 0; u < Kb; u++) {
          for (let rh = 0; rh < sH; rh++) {
            const i = rh + sH * (Ka - 1 - t);
            if (i >= kh) continue;
            for (let rw = 0; rw < sW; rw++) {
              const j = rw + sW * (Kb - 1 - u);
              if (j >= kw) continue;
              const srcTap = (i * kw + j) * block;
              const dstTap = (t * Kb + u) * Cs * C4 + (rh * sW + rw) * Cb;
              for (let cs = 0; cs < Cs; cs++) {
                const so = srcTap + cs * Cb;
                const d0 = dstTap + cs * C4;
                for (let c = 0; c < Cb; c++) fv[d0 + c] = wv[so + c];
              }
            }
          }
        }
      }
      const pads = [
        [0, 0],
        [ph.padBefore, ph.padAfter],
        [pw.padBefore, pw.padAfter],
        [0, 0],
      ];
      const o = keep(
        conv2dOnWasm(backend, x, f, { strides: 1, pad: pads as ExplicitPad, dataFormat: 'NHWC', dilations: 1 }),
      );
      const out = wasm.makeOutput([N, H, W, Cb], 'float32');
      const src = wasm.typedArrayFromHeap(o);
      const dst = wasm.typedArrayFromHeap(out);
      // Per output column X: its grid column and phase, as an offset into a grid row.
      const colOff = new Int32Array(W);
      for (let X = 0; X < W; X++) {
        const V = X + pl;
        colOff[X] = (Math.floor(V / sW) - v0) * C4 + (V % sW) * Cb;
      }
      let d = 0;
      for (let n = 0; n < N; n++) {
        for (let Y = 0; Y < H; Y++) {
          const U = Y + pt;
          const rowBase = (n * Uh + Math.floor(U / sH) - u0) * Uw * C4 + (U % sH) * sW * Cb;
          if (Cb === 1) {
            for (let X = 0; X < W; X++) dst[d++] = src[rowBase + colOff[X]];
          } else {
            for (let X = 0; X < W; X++) {
              const so = rowBase + colOff[X];
              for (let c = 0; c < Cb; c++) dst[d++] = src[so + c];
            }
          }
        }
      }
      return out;
    };

    let dx: TensorInfo;
    if (h === 1 && w === 1 && H === kh && W === kw && info.padInfo.top === 0 && info.padInfo.left === 0) {
      // A 1×1 dy spread over the whole filter window (DCGAN's first layer, z → 4×4):
      // dx [N, kh·kw·Cb] = dy [N, Cs] × W as [Cs, kh·kw·Cb], one plain matMul.
      const w3 = keep(reshape(backend, filter, [kh * kw, Cb, Cs]));
      const wT = keep(runWasm(backend, 'Transpose', { x: w3 }, { perm: [2, 0, 1] }));
      const b3 = keep(reshape(backend, wT, [1, Cs, kh * kw * Cb]));
      const a3 = keep(reshape(backend, dy, [1, N, Cs]));
      const prod = keep(runWasm(backend, 'BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false }));
      dx = reshape(backend, prod, [N, H, W, Cb]);
    } else if (sH === 1 && sW === 1) {
      const only = phase(rows[0], cols[0]);
      dx = only ?? runWasm(backend, 'Fill', {}, { shape: [N, H, W, Cb], value: 0, dtype: 'float32' });
      if (only != null) temps.splice(temps.indexOf(only), 1); // returned, not freed
    } else if (strategy === 'combined' || (strategy === 'auto' && Cb * sH * sW <= COMBINED_MAX_CHANNELS)) {
      dx = combined();
    } else {
      const outs: (TensorInfo | null)[][] = rows.map((ph) => cols.map((pw) => phase(ph, pw)));
      dx = wasm.makeOutput([N, H, W, Cb], 'float32');
      const out = wasm.typedArrayFromHeap(dx);
      if (outs.some((row) => row.some((o) => o == null))) out.fill(0);
      const mod = wasmElementwise(backend);
      for (let a = 0; a < sH; a++) {
        for (let b = 0; b < sW; b++) {
          const o = outs[a][b];
          if (o == null) continue;
          if (mod != null) {
            // On GAN Studio's module (SIMD copies, images across the pool): phase (a, b)'s
            // rows u of image n go to dx rows sH·u + a, runs of Cb floats every sW pixels from b.
            const [Hp, Wp] = [rows[a].size, cols[b].size];
            const [sa, da] = [heapAddress(backend, o), heapAddress(backend, dx)];
            const list = Array.from({ length: N }, (_, n) => [
              sa + n * Hp * Wp * Cb * 4,
              da + ((n * H + a) * W + b) * Cb * 4,
              Hp,
              Wp,
              Cb,
              Wp * Cb * 4,
              sH * W * Cb * 4,
              sW * Cb * 4,
            ]);
            mod.moves('copyRuns', list);
            continue;
          }
          const src = wasm.typedArrayFromHeap(o);
          const Hp = rows[a].size;
          const Wp = cols[b].size;
          const step = sW * Cb;
          let s = 0;
          for (let n = 0; n < N; n++) {
            for (let u = 0; u < Hp; u++) {
              let d = ((n * H + sH * u + a) * W + b) * Cb;
              if (Cb >= SHORT_RUN) {
                for (let v = 0; v < Wp; v++) {
                  out.set(src.subarray(s, s + Cb), d);
                  s += Cb;
                  d += step;
                }
              } else if (Cb === 1) {
                for (let v = 0; v < Wp; v++) {
                  out[d] = src[s++];
                  d += step;
                }
              } else {
                for (let v = 0; v < Wp; v++) {
                  for (let c = 0; c < Cb; c++) out[d + c] = src[s + c];
                  s += Cb;
                  d += step;
                }
              }
            }
          }
        }
      }
    }
    if (!nchw) return dx;
    const back = runWasm(backend, 'Transpose', { x: dx }, { perm: [0, 3, 1, 2] });
    backend.disposeData(dx.dataId);
    return back;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
