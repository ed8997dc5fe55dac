// One file on purpose: one kernel, its two strategies and the rule choosing between them.
/**
 * `Conv2DBackpropFilter` for the wasm backend (the stock backend of tfjs 4.22 has none):
 * the weight gradient of every conv2d, and of every conv2dTranspose.
 *
 * Composed from existing wasm kernels at the backend level plus plain copies on the
 * wasm heap, with every intermediate freed through `backend.disposeData`. High-level
 * tf ops are never used inside a kernel: they would be recorded on the gradient tape
 * and counted as engine tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2dOnWasm, gemmSuitsConv } from './wasm-conv-gemm';
import { wasmElementwise, wasmGemm } from './wasm-gemm';
import { transposeLast2 } from './wasm-matmul';
import { heapAddress, pair, reshape, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

/**
 * Largest im2col matrix built at once, in floats (256 MiB). DCGAN-64 at batch 64 needs at
 * most ~18 M; larger inputs are processed a few images at a time.
 */
let MAX_IM2COL_FLOATS = 64 * 1024 * 1024;

/**
 * How dW is computed: 'conv', one forward XNNPACK convolution (convPath below); 'im2col',
 * an im2col matrix + one plain matMul; 'auto' (default) picks per layer, see useConvPath.
 */
export type ConvFilterStrategy = 'auto' | 'conv' | 'im2col';
let STRATEGY: ConvFilterStrategy = 'auto';

/** For tests and benchmarks: choose the dW strategy. Returns the previous one. */
export function setConvFilterStrategyForTests(s: ConvFilterStrategy): ConvFilterStrategy {
  const prev = STRATEGY;
  STRATEGY = s;
  return prev;
}

/**
 * 'auto': the conv path pays XNNPACK's weight packing of dy (~15 ns per float here, at
 * every call since dy is new each time) against a faster GEMM and no im2col copy, so it
 * wins when each dy value meets many taps: kh·kw·C ≥ 2048, or ≥ 1024 with a dy of at most
 * 1 M floats. Measured at batch 64 (ms, conv vs im2col): 8×8×256 ↔ 4×4×512 122 vs 160,
 * 16×16×128 ↔ 8×8×256 127 vs 141, 14×14×64 ↔ 7×7×128 24 vs 30; but 32×32×64 ↔ 16×16×128
 * 165 vs 153, 64×64×3 ↔ 32×32×64 90 vs 32, 28×28×1 ↔ 14×14×64 7.5 vs 4.7.
 */
function useConvPath(taps: number, dyFloats: number, gemmConv: boolean): boolean {
  if (STRATEGY !== 'auto') return STRATEGY === 'conv';
  // With the relaxed-SIMD GEMM under both paths (./wasm-conv-gemm.ts: batch ≥ 16 as the
  // conv's input channels, ≥ 8 output channels) the conv path wins everywhere but the
  // image layers (batch 64, ms, im2col vs conv: 32×32×64 ↔ 16×16×128 174 vs 149,
  // 16×16×128 ↔ 8×8×256 154 vs 127, 8×8×256 ↔ 4×4×512 162 vs 107, 14×14×64 ↔ 7×7×128
  // 38 vs 26; 64×64×3 ↔ 32×32×64 19 vs 29).
  if (gemmConv) return taps > SMALL_K;
  return taps >= 2048 || (taps >= 1024 && dyFloats <= 1 << 20);
}

/** For tests: lower the im2col budget to force chunking. Returns the previous value. */
export function setIm2colBudgetForTests(floats: number): number {
  const prev = MAX_IM2COL_FLOATS;
  MAX_IM2COL_FLOATS = floats;
  return prev;
}

/**
 * Few im2col rows (K = kh·kw·C ≤ SMALL_K, the image layers: C = 1 or 3): the matMul
 * [K, M] × [M, Cout] has a long contraction M = N·Ho·Wq and few output rows, and XNNPACK
 * streams the whole packed dy operand (17 MB for 64×64×3 at batch 64) once per block of
 * output rows, at ~5 GFLOP/s. Splitting the contraction into chunks of whole images whose
 * dy operand holds at most SMALL_K_DY_FLOATS (512 KB, cache-sized) and summing the
 * partial products runs 2–3× faster (64×64×3 → 32×32×64: 90 → 29 ms). Larger K gain
 * nothing from it (measured), so they keep one product.
 */
const SMALL_K = 64;
const SMALL_K_DY_FLOATS = 256 * 1024;

/** Below this many floats a JS loop copies faster than TypedArray.set(subarray). */
const SHORT_RUN = 32;

/** Whether the crop/zero-pad copies run on GAN Studio's module (default) or as stock Slice + PadV2. */
let padOnModule = true;

/** For benchmarks and tests: the stock Slice + PadV2 (false) or the module's copies (true). Returns the previous setting. */
export function setConvFilterPadOnModule(on: boolean): boolean {
  const prev = padOnModule;
  padOnModule = on;
  return prev;
}

/**
 * x [N, H, W, C] (float32, NHWC) → [N, Hp, Wp, C]: rows [0, keepH) and columns [0, keepW) of
 * each image at (top, left), zeros elsewhere (the stock Slice + PadV2 with constant 0, as
 * plain copies: the same bits). The zeros are one fill; the kept rows are one SIMD run copy
 * each (copyRuns), images split across the pool.
 */
function padCopy(
  backend: KernelBackend,
  mod: NonNullable<ReturnType<typeof wasmElementwise>>,
  x: TensorInfo,
  [keepH, keepW]: [number, number],
  [top, left]: [number, number],
  [Hp, Wp]: [number, number],
): TensorInfo {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const wasm = backend as unknown as BackendWasm;
  const out = wasm.makeOutput([N, Hp, Wp, C], 'float32');
  // Heap views only after the last allocation (growing the heap detaches old views).
  wasm.typedArrayFromHeap(out).fill(0);
  const [xa, oa] = [heapAddress(backend, x), heapAddress(backend, out)];
  mod.moves(
    'copyRuns',
    Array.from({ length: N }, (_, n) => [
      xa + n * H * W * C * 4,
      oa + ((n * Hp + top) * Wp + left) * C * 4,
      keepH,
      1,
      keepW * C,
      W * C * 4,
      Wp * C * 4,
      0,
    ]),
  );
  return out;
}

/**
 * `Conv2DBackpropFilter` for wasm: dW[i,j,c,o] = Σ_{n,y,x} xpad[n, y·sH+i, x·sW+j, c] · dy[n,y,x,o].
 *
 * Layout trick, so that every copy is a long contiguous run and the only heavy
 * work is one plain (no transposeA) BatchMatMul, which is XNNPACK-fast on wasm:
 *
 *  1. Crop/zero-pad x (NHWC, PadV2) to [N, Hq·sH, Wq·sW, C], where Wq = Wo + ⌊(kw-1)/sW⌋ and
 *     Hq = Ho + ⌊(kh-1)/sH⌋ (+1 row of slack when Wq > Wo).
 *  2. Transpose to channels first, then split the stride phases with a reshape + Transpose
 *     (no strided slicing): [sH, sW, C, N, Hq, Wq].
 *  3. Kernel tap (i, j) = (a·sH + p, b·sW + q) reads phase (p, q) shifted by (a, b). Over the
 *     flattened [Hq·Wq] plane that is ONE contiguous run of Ho·Wq values starting at a·Wq + b
 *     for each (c, n). Columns x ≥ Wo of a run are junk (they wrap into the next row) and
 *     meet zeros in dy, padded from Wo to Wq.
 *  4. The runs, copied in (tap, c, n) order straight on the wasm heap, form the im2col
 *     matrix [kh·kw·C, N·Ho·Wq], already in the row-major order matMul wants (the explicit
 *     transpose happened on x, which is kh·kw times smaller than the im2col matrix).
 *  5. One plain BatchMatMul with dy as [N·Ho·Wq, Cout], reshape to [kh, kw, C, Cout].
 *     (Very large inputs go a few images at a time, summing the products, so the im2col
 *     matrix stays under MAX_IM2COL_FLOATS; so do image layers, see SMALL_K.)
 *
 * That is the 'im2col' strategy. For layers with many taps per dy value (kh·kw·C large)
 * one forward convolution is faster (convPath below, chosen by useConvPath).
 *
 * Supports NHWC and NCHW, pad 'same' / 'valid' / a number / explicit, any strides and
 * kernel sizes; dilations must be 1 (tfjs' conv2d gradient requires that too).
 */
export function conv2DBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs & {
    dilations?: number | [number, number];
  };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (attrs.dilations != null) {
    const [dH, dW] = pair(attrs.dilations);
    if (dH !== 1 || dW !== 1) {
      throw new Error(`Conv2DBackpropFilter (wasm): dilations must be 1, got [${dH}, ${dW}]`);
    }
  }
  const x0 = inputs.x;
  const dy0 = inputs.dy;
  if (x0 == null || dy0 == null) {
    throw new Error('Conv2DBackpropFilter (wasm): inputs x and dy are required');
  }
  if (x0.dtype !== 'float32' || dy0.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter (wasm): float32 inputs only, got x ${x0.dtype}, dy ${dy0.dtype}`);
  }
  if (x0.shape.length !== 4 || dy0.shape.length !== 4) {
    throw new Error(`Conv2DBackpropFilter (wasm): x and dy must be rank 4, got [${x0.shape}] and [${dy0.shape}]`);
  }

  const wasm = backend as unknown as BackendWasm;
  const temps: TensorInfo[] = [];
  const keep = <T extends TensorInfo>(t: T): T => {
    temps.push(t);
    return t;
  };
  try {
    // Work in NHWC.
    let x: TensorInfo = x0;
    let dy: TensorInfo = dy0;
    if (dataFormat === 'NCHW') {
      x = keep(runWasm(backend, 'Transpose', { x }, { perm: [0, 2, 3, 1] }));
      dy = keep(runWasm(backend, 'Transpose', { x: dy }, { perm: [0, 2, 3, 1] }));
    } else if (dataFormat != null && dataFormat !== 'NHWC') {
      throw new Error(`Conv2DBackpropFilter (wasm): unsupported dataFormat '${String(dataFormat)}'`);
    }
    const [N, H, W, C] = x.shape as [number, number, number, number];
    const [kh, kw, fIn, Cout] = filterShape;
    if (fIn !== C) {
      throw new Error(`Conv2DBackpropFilter (wasm): filterShape in-channels ${fIn} != x channels ${C}`);
    }
    const info = tf.backend_util.computeConv2DInfo(
      [N, H, W, C],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const Ho = info.outHeight;
    const Wo = info.outWidth;
    const sH = info.strideHeight;
    const sW = info.strideWidth;
    const [dyN, dyH, dyW, dyC] = dy.shape;
    if (dyN !== N || dyH !== Ho || dyW !== Wo || dyC !== Cout) {
      throw new Error(
        `Conv2DBackpropFilter (wasm): dy shape [${dy.shape}] does not match expected [${N}, ${Ho}, ${Wo}, ${Cout}]`,
      );
    }

    const aMax = Math.floor((kh - 1) / sH);
    const bMax = Math.floor((kw - 1) / sW);
    const Wq = Wo + bMax;
    const Hq = Ho + aMax + (bMax > 0 ? 1 : 0);
    const Hp = Hq * sH;
    const Wp = Wq * sW;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const keepH = Math.min(H, Hp - top);
    const keepW = Math.min(W, Wp - left);

    if (Ho === 1 && Wo === 1 && H === kh && W === kw && top === 0 && left === 0) {
      // One window covering all of x (DCGAN's z → 4×4 first layer and its 4×4 → 1 logit):
      // dW [kh·kw·C, Cout] = x as [N, kh·kw·C], transposed, × dy [N, Cout], one plain matMul.
      const x3 = keep(reshape(backend, x, [1, N, kh * kw * C]));
      const xT = keep(transposeLast2(backend, x3));
      const d3 = keep(reshape(backend, dy, [1, N, Cout]));
      const prod = keep(runWasm(backend, 'BatchMatMul', { a: xT, b: d3 }, { transposeA: false, transposeB: false }));
      return reshape(backend, prod, [kh, kw, C, Cout]);
    }

    const gemm = wasmGemm(backend);
    // The conv path's convolution has the batch as its input channels and Cout as its outputs.
    const gemmConv = gemm != null && gemmSuitsConv(N, Cout);
    if (N * Ho * Wo > 0 && useConvPath(kh * kw * C, N * Ho * Wo * Cout, gemmConv)) {
      const out = convPath(backend, x, dy, [kh, kw], [sH, sW], [top, left], keep);
      if (out != null) return out;
    }

    if (keepH <= 0 || keepW <= 0 || N * Ho * Wo === 0) {
      // The window never touches x: the gradient is all zeros.
      return runWasm(backend, 'Fill', {}, { shape: [kh, kw, C, Cout], value: 0, dtype: 'float32' });
    }

    // 1. crop (only 'valid'-style leftovers) and zero-pad: on GAN Studio's module (one SIMD
    //    run copy per kept row, images across the pool) where it runs, else Slice + PadV2.
    const padBottom = Hp - top - keepH;
    const padRight = Wp - left - keepW;
    const mod = padOnModule ? wasmElementwise(backend) : null;
    let xs = x;
    if (mod != null) {
      if (keepH < H || keepW < W || top !== 0 || left !== 0 || padBottom !== 0 || padRight !== 0) {
        xs = keep(padCopy(backend, mod, x, [keepH, keepW], [top, left], [Hp, Wp]));
      }
    } else {
      if (keepH < H || keepW < W) {
        xs = keep(runWasm(backend, 'Slice', { x: xs }, { begin: [0, 0, 0, 0], size: [N, keepH, keepW, C] }));
      }
      if (top !== 0 || left !== 0 || padBottom !== 0 || padRight !== 0) {
        xs = keep(
          runWasm(
            backend,
            'PadV2',
            { x: xs },
            {
              paddings: [
                [0, 0],
                [top, padBottom],
                [left, padRight],
                [0, 0],
              ],
              constantValue: 0,
            },
          ),
        );
      }
    }

    // 2. channels first, then stride phases split out, using only the wasm Transpose paths
    //    that are fast (3-D and 4-D; its 2-D, 5-D and 6-D paths are 5-40x slower):
    //    [N·Hp, Wp, C] → [C, N·Hp, Wp], viewed as [C·N·Hq, sH, Wq, sW] → [sH, sW, C·N·Hq, Wq].
    const x3 = keep(reshape(backend, xs, [N * Hp, Wp, C]));
    let planes = keep(runWasm(backend, 'Transpose', { x: x3 }, { perm: [2, 0, 1] }));
    if (sH > 1 || sW > 1) {
      const x4 = keep(reshape(backend, planes, [C * N * Hq, sH, Wq, sW]));
      planes = keep(runWasm(backend, 'Transpose', { x: x4 }, { perm: [1, 3, 0, 2] }));
    }

    // 5a. dy [N, Ho, Wo, Cout] → zero-pad columns to Wq: [N, Ho, Wq, Cout].
    let dyp = dy;
    if (Wq !== Wo && mod != null) {
      dyp = keep(padCopy(backend, mod, dy, [Ho, Wo], [0, 0], [Ho, Wq]));
    } else if (Wq !== Wo) {
      dyp = keep(
        runWasm(
          backend,
          'PadV2',
          { x: dy },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, Wq - Wo],
              [0, 0],
            ],
            constantValue: 0,
          },
        ),
      );
    }

    // 3+4. im2col [kh·kw·C, n·Ho·Wq] for a chunk of n images (see SMALL_K): tap (i, j) of
    //    channel c and image n is ONE contiguous run of Ho·Wq values of its phase plane, starting at
    //    a·Wq + b. The runs are copied straight on the wasm heap: the stock Slice kernel
    //    first copies its whole input (readSync), so kh·kw Slices would cost kh·kw copies
    //    of x. Images are processed in chunks so that the im2col matrix stays under
    //    MAX_IM2COL_FLOATS (large resolutions); each chunk's product is summed.
    const L = Ho * Wq;
    const plane = Hq * Wq;
    const K = kh * kw * C;
    const dyPerImage = Ho * Wq * Cout;
    let chunk = Math.max(1, Math.min(N, Math.floor(MAX_IM2COL_FLOATS / (K * L))));
    if (K <= SMALL_K) chunk = Math.max(1, Math.min(chunk, Math.floor(SMALL_K_DY_FLOATS / (L * Cout))));
    // With the relaxed-SIMD GEMM (./wasm-gemm.ts) each chunk's product is accumulated
    // straight into dW, and reads its rows of dy in place (no dy chunk copy, no Add).
    const dW = gemm == null ? null : keep(wasm.makeOutput([K, Cout], 'float32'));
    let sum: TensorInfo | null = null;
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const nc = Math.min(chunk, N - n0);
      const cols = keep(wasm.makeOutput([K, nc * L], 'float32'));
      const dyc = nc === N || gemm != null ? dyp : keep(wasm.makeOutput([nc, Ho, Wq, Cout], 'float32'));
      // Heap views only after the last allocation (growing the heap detaches old views).
      const src = wasm.typedArrayFromHeap(planes);
      const dst = wasm.typedArrayFromHeap(cols);
      if (dyc !== dyp) {
        const dyAll = wasm.typedArrayFromHeap(dyp);
        wasm.typedArrayFromHeap(dyc).set(dyAll.subarray(n0 * dyPerImage, (n0 + nc) * dyPerImage));
      }
      let d = 0;
      for (let i = 0; i < kh; i++) {
        const p = i % sH;
        const a = Math.floor(i / sH);
        for (let j = 0; j < kw; j++) {
          const q = j % sW;
          const b = Math.floor(j / sW);
          const phase = (p * sW + q) * C * N;
          for (let c = 0; c < C; c++) {
            let o = (phase + c * N + n0) * plane + a * Wq + b;
            if (L >= SHORT_RUN) {
              for (let r = 0; r < nc; r++) {
                dst.set(src.subarray(o, o + L), d);
                d += L;
                o += plane;
              }
            } else {
              // Short runs (tiny outputs, e.g. the 4×4 → 1×1 end layers): a plain loop
              // beats hundreds of thousands of subarray/set calls.
              for (let r = 0; r < nc; r++) {
                for (let t = 0; t < L; t++) dst[d + t] = src[o + t];
                d += L;
                o += plane;
              }
            }
          }
        }
      }

      if (gemm != null && dW != null) {
        const at = (t: TensorInfo): number => heapAddress(backend, t);
        const M = nc * L;
        gemm.sgemm(K, Cout, M, at(cols), M * 4, at(dyp) + n0 * dyPerImage * 4, Cout * 4, 4, at(dW), Cout * 4, n0 > 0);
        backend.disposeData(cols.dataId);
        temps.splice(temps.indexOf(cols), 1);
        continue;
      }
      // 5b. one plain matMul: [1, K, M] × [1, M, Cout], M = nc·Ho·Wq.
      const a3 = keep(reshape(backend, cols, [1, K, nc * L]));
      const b3 = keep(reshape(backend, dyc, [1, nc * L, Cout]));
      const prod = keep(runWasm(backend, 'BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false }));
      // Free this chunk's big buffers before the next one is allocated.
      for (const t of [a3, b3, cols, ...(dyc !== dyp ? [dyc] : [])]) {
        backend.disposeData(t.dataId);
        temps.splice(temps.indexOf(t), 1);
      }
      sum = sum == null ? prod : keep(runWasm(backend, 'Add', { a: sum, b: prod }));
    }
    const prod = dW ?? (sum as TensorInfo);
    return reshape(backend, prod, [kh, kw, C, Cout]);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * dW as ONE stock forward `Conv2D` (XNNPACK), with the roles of batch and channels swapped:
 *
 *   dW[i, j, c, o] = Σ_{y, x, n} xpad[c, y·sH + i, x·sW + j, n] · dy[y, x, n, o]
 *
 * is a stride-1 convolution of x viewed as [C, H, W, N] (batch C, N input channels) with
 * dy viewed as the filter [Ho, Wo, N, Cout], dilated by the strides; its output
 * [C, kh, kw, Cout] is dW with the first axis moved. XNNPACK then runs its convolution
 * GEMM (indirection buffer, no im2col copy), at the price of packing dy as weights on
 * every call (see useConvPath for when that pays). The moves of axes are a 2-D transpose
 * and block copies on the heap (swapBlocks); x is cropped where the windows never reach
 * its last rows/columns, and the padding is explicit so that the output is exactly kh × kw.
 *
 * Returns null when the window never touches x (the caller's fallback returns zeros).
 */
function convPath(
  backend: KernelBackend,
  x: TensorInfo,
  dy: TensorInfo,
  [kh, kw]: [number, number],
  [sH, sW]: [number, number],
  [top, left]: [number, number],
  keep: <T extends TensorInfo>(t: T) => T,
): TensorInfo | null {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [, Ho, Wo, Cout] = dy.shape as [number, number, number, number];
  // Rows of x the windows can reach: top-padded row index < kh + (Ho−1)·sH.
  const spanH = kh + (Ho - 1) * sH;
  const spanW = kw + (Wo - 1) * sW;
  const keepH = Math.min(H, spanH - top);
  const keepW = Math.min(W, spanW - left);
  if (keepH <= 0 || keepW <= 0) return null;
  let xs = x;
  if (keepH < H || keepW < W) {
    xs = keep(runWasm(backend, 'Slice', { x: xs }, { begin: [0, 0, 0, 0], size: [N, keepH, keepW, C] }));
  }
  const bottom = spanH - top - keepH;
  const right = spanW - left - keepW;
  const moves = wasmElementwise(backend);
  const wasm = backend as unknown as BackendWasm;
  const at = (t: TensorInfo): number => heapAddress(backend, t);
  const P = keepH * keepW;
  let xt: TensorInfo;
  let filter: TensorInfo;
  if (moves != null) {
    // On GAN Studio's module (SIMD, split across the pool): x [N, P, C] → [C, P, N] as one
    // [N, C] transpose per pixel p, and dy's runs moved as below.
    xt = keep(wasm.makeOutput([C, keepH, keepW, N], 'float32'));
    const [src, dst] = [at(xs), at(xt)];
    moves.moves(
      'transpose',
      Array.from({ length: P }, (_, p) => [src + p * C * 4, N, C, P * C * 4, dst + p * N * 4, P * N * 4]),
    );
    filter = keep(wasm.makeOutput([Ho, Wo, N, Cout], 'float32'));
    moves.swapRuns(at(dy), N, Ho * Wo, Cout, at(filter));
  } else {
    // x [N, h·w·C] → [h·w·C, N] (the 2-D transpose: 3–5× faster here than the 3-D/4-D
    // ones to [C, h·w, N]), then [h·w, C, N] → [C, h·w, N] by block copies of N floats.
    const x2 = keep(reshape(backend, xs, [N, P * C]));
    const x2t = keep(runWasm(backend, 'Transpose', { x: x2 }, { perm: [1, 0] }));
    xt =
      C === 1
        ? keep(reshape(backend, x2t, [1, keepH, keepW, N]))
        : keep(swapBlocks(backend, x2t, P, C, N, [C, keepH, keepW, N]));
    // dy [N, Ho·Wo, Cout] → [Ho·Wo, N, Cout] = [Ho, Wo, N, Cout], block copies of Cout floats.
    filter = keep(swapBlocks(backend, dy, N, Ho * Wo, Cout, [Ho, Wo, N, Cout]));
  }
  const conv = keep(
    conv2dOnWasm(backend, xt, filter, {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [sH, sW],
      dimRoundingMode: undefined,
    }),
  );
  // [C, kh·kw, Cout] → [kh·kw, C, Cout] = [kh, kw, C, Cout].
  if (C === 1) return reshape(backend, conv, [kh, kw, C, Cout]);
  if (moves != null) {
    const out = wasm.makeOutput([kh, kw, C, Cout], 'float32');
    moves.swapRuns(at(conv), C, kh * kw, Cout, at(out));
    return out;
  }
  return swapBlocks(backend, conv, C, kh * kw, Cout, [kh, kw, C, Cout]);
}

/**
 * [A, B, R] → [B, A, R] (runs of R floats) by copies on the wasm heap, as a new tensor
 * of shape `shape` (caller frees). The stock 3-D Transpose is 2–7× slower on these shapes.
 */
function swapBlocks(
  backend: KernelBackend,
  t: TensorInfo,
  A: number,
  B: number,
  R: number,
  shape: number[],
): TensorInfo {
  const wasm = backend as unknown as BackendWasm;
  const out = wasm.makeOutput(shape, 'float32');
  const src = wasm.typedArrayFromHeap(t) as Float32Array;
  const dst = wasm.typedArrayFromHeap(out) as Float32Array;
  if (R >= SHORT_RUN) {
    for (let a = 0; a < A; a++) {
      for (let b = 0; b < B; b++) {
        const o = (a * B + b) * R;
        dst.set(src.subarray(o, o + R), (b * A + a) * R);
      }
    }
  } else {
    for (let a = 0; a < A; a++) {
      for (let b = 0; b < B; b++) {
        const o = (a * B + b) * R;
        const d = (b * A + a) * R;
        for (let r = 0; r < R; r++) dst[d + r] = src[o + r];
      }
    }
  }
  return out;
}
