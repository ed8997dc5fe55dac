/**
 * GAN Studio's relaxed-SIMD SGEMM (src/engine/backend/wasm-gemm.ts) against XNNPACK's
 * matMul (the stock wasm BatchMatMul, i.e. tf.matMul on 'wasm'), at the GEMM shapes of a
 * DCGAN step at batch 64, alternating in one process; plus the peak of one thread's
 * multiply-add loop with and without FMA.
 *
 *   npx tsx bench/wasm-gemm.ts [--reps 5] [--only <substring of a shape's name>]
 *   npx tsx bench/wasm-gemm.ts --layers [--reps 5] [--threads 1] [--unpacked-a]
 *
 * Columns: GFLOP/s (best of --reps) of XNNPACK, ours with f32x4.relaxed_madd, ours with
 * f32x4.mul + f32x4.add (same loops), the ratio ours(FMA)/XNNPACK, and the max abs / rel
 * error of ours against the cpu backend (on the first shapes only: cpu is slow).
 *
 * --layers: each conv kernel of a DCGAN layer at batch 64 (FusedConv2D with bias,
 * Conv2DBackpropInput, Conv2DBackpropFilter; ms, best of --reps), with the GEMM off
 * (XNNPACK, as before) and on, alternating. With --unpacked-a the two columns are instead the
 * GEMM's row-pointer microkernel on A in place and the default A packed per block call.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend/select';
import {
  GEMM_TILE,
  setWasmGemmEnabled,
  setWasmGemmFma,
  setWasmGemmPackedA,
  wasmGemm,
} from '../src/engine/backend/wasm-gemm';
import { arg } from './args';

interface Shape {
  name: string;
  M: number;
  K: number;
  N: number;
}
const s = (name: string, M: number, K: number, N: number): Shape => ({ name, M, K, N });

// C[M×N] = A[M×K]·B[K×N]. dW's im2col GEMM (src/engine/backend/wasm-conv-filter.ts) is
// [kh·kw·C, n·Ho·Wq] × [n·Ho·Wq, Cout]; the forward conv as a GEMM is [N·Ho·Wo, kh·kw·Cin] × [.., Cout].
const SHAPES: Shape[] = [
  s('d64 dW 32x32x64<->16x16x128 (im2col)', 1024, 64 * 16 * 17, 128),
  s('d64 dW 64x64x3<->32x32x64 (chunk 3)', 48, 3 * 32 * 33, 64),
  s('d64 dW 16x16x128<->8x8x256 (conv now)', 2048, 64 * 8 * 9, 256),
  s('d64 dW 8x8x256<->4x4x512 (conv now)', 4096, 64 * 4 * 5, 512),
  s('d28 dW 28x28x1<->14x14x64 (chunk 19)', 16, 19 * 14 * 15, 64),
  s('d28 dW 14x14x64<->7x7x128 (conv now)', 1024, 64 * 7 * 8, 128),
  s('d64 fwd 64x64x3->32x32x64', 65536, 48, 64),
  s('d64 fwd 32x32x64->16x16x128', 16384, 1024, 128),
  s('d64 fwd 16x16x128->8x8x256', 4096, 2048, 256),
  s('d64 fwd 8x8x256->4x4x512', 1024, 4096, 512),
  s('d28 fwd 14x14x64->7x7x128', 3136, 1024, 128),
  s('d28 dense G z->7x7x128', 64, 100, 6272),
  s('d28 dense D 6272->1', 64, 6272, 1),
];

function timeIt(f: () => void): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

const DW_LAYERS: [string, number[], number[]][] = [
  ['d64 64x64x3<->32x32x64', [64, 64, 64, 3], [64, 32, 32, 64]],
  ['d64 32x32x64<->16x16x128', [64, 32, 32, 64], [64, 16, 16, 128]],
  ['d64 16x16x128<->8x8x256', [64, 16, 16, 128], [64, 8, 8, 256]],
  ['d64 8x8x256<->4x4x512', [64, 8, 8, 256], [64, 4, 4, 512]],
  ['d28 28x28x1<->14x14x64', [64, 28, 28, 1], [64, 14, 14, 64]],
  ['d28 14x14x64<->7x7x128', [64, 14, 14, 64], [64, 7, 7, 128]],
];

/** Each conv kernel of a layer with the GEMM off (XNNPACK) and on, alternating; ms best of `reps`. */
function layerBench(reps: number, unpacked: boolean): void {
  const toggle = unpacked ? setWasmGemmPackedA : setWasmGemmEnabled;
  console.log(
    unpacked
      ? 'layer | kernel | unpacked A ms | packed A ms | ratio (unpacked/packed)'
      : 'layer | kernel | XNNPACK ms | GEMM ms | ratio (XNNPACK/GEMM)',
  );
  for (const [name, xs, ds] of DW_LAYERS) {
    const x = tf.randomUniform(xs, -1, 1, 'float32', 3);
    const dy = tf.randomUniform(ds, -1, 1, 'float32', 4);
    const w = tf.randomUniform([4, 4, xs[3], ds[3]], -1, 1, 'float32', 5);
    const b = tf.randomUniform([ds[3]], -1, 1, 'float32', 6);
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    const kernels: [string, () => void][] = [
      [
        'FusedConv2D (+bias)',
        () =>
          tf.fused
            .conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 2, pad: 'same', bias: b })
            .dispose(),
      ],
      [
        'Conv2DBackpropInput',
        () =>
          tf
            .conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, xs as [number, number, number, number], 2, 'same')
            .dispose(),
      ],
      [
        'Conv2DBackpropFilter',
        () =>
          (
            tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
              ...attrs,
              filterShape: [4, 4, xs[3], ds[3]],
            } as never) as tf.Tensor
          ).dispose(),
      ],
    ];
    for (const [kname, f] of kernels) {
      const best = [Infinity, Infinity];
      for (let r = 0; r < reps + 1; r++) {
        for (const on of [false, true]) {
          const prev = toggle(on);
          const ms = timeIt(f);
          toggle(prev);
          if (r > 0) best[on ? 1 : 0] = Math.min(best[on ? 1 : 0], ms);
        }
      }
      console.log(
        `${name} | ${kname} | ${best[0].toFixed(1)} | ${best[1].toFixed(1)} | ${(best[0] / best[1]).toFixed(2)}`,
      );
    }
    tf.dispose([x, dy, w, b]);
  }
}

async function main(): Promise<void> {
  const reps = Number(arg('reps', '5'));
  const only = arg('only', null);
  const threads = Number(arg('threads', '1'));
  await activateBackend('wasm', { threads });
  const backend = tf.backend() as unknown as BackendWasm;
  const gemm = wasmGemm(backend);
  if (gemm == null) throw new Error('relaxed-SIMD GEMM unavailable here');
  console.log(
    `load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}; tile ${GEMM_TILE}; best of ${reps}`,
  );
  if (process.argv.includes('--layers')) {
    layerBench(reps, process.argv.includes('--unpacked-a'));
    console.log(
      `load average ${loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}`,
    );
    return;
  }
  for (const fma of [true, false]) {
    gemm.peak(1e5, fma);
    let best = Infinity;
    for (let r = 0; r < reps; r++)
      best = Math.min(
        best,
        timeIt(() => gemm.peak(2e7, fma)),
      );
    console.log(
      `peak loop, 12 chains, ${fma ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add'}: ${((96 * 2e7) / best / 1e6).toFixed(1)} GFLOP/s`,
    );
  }
  console.log('shape | M×K×N | XNNPACK | ours FMA | ours mul+add | FMA/XNNPACK | max abs err | max rel err');
  let checked = 0;
  for (const sh of SHAPES) {
    if (only != null && !sh.name.includes(only)) continue;
    const { M, K, N } = sh;
    const a = tf.randomUniform([M, K], -1, 1, 'float32', 1);
    const b = tf.randomUniform([K, N], -1, 1, 'float32', 2);
    const flops = 2 * M * N * K;
    const best = { x: Infinity, f: Infinity, m: Infinity };
    const out = backend.makeOutput([M, N], 'float32');
    const addr = (t: tf.TensorInfo): number => backend.dataIdMap.get(t.dataId)!.memoryOffset;
    const ours = (fma: boolean): void => {
      setWasmGemmFma(fma);
      gemm.sgemm(M, N, K, addr(a), K * 4, addr(b), N * 4, 4, addr(out), N * 4);
    };
    const prev = setWasmGemmEnabled(false); // tf.matMul → the stock XNNPACK kernel
    for (let r = 0; r < reps + 1; r++) {
      const tx = timeIt(() => tf.matMul(a, b).dispose());
      const tf_ = timeIt(() => ours(true));
      const tm = timeIt(() => ours(false));
      if (r === 0) continue; // warm-up
      best.x = Math.min(best.x, tx);
      best.f = Math.min(best.f, tf_);
      best.m = Math.min(best.m, tm);
    }
    setWasmGemmEnabled(prev);
    setWasmGemmFma(true);
    ours(true);
    let errs = '-';
    if (checked < 3 && M * N * K <= 3e8) {
      checked++;
      const got = backend.typedArrayFromHeap(out) as Float32Array;
      const av = await a.data();
      const bv = await b.data();
      await tf.setBackend('cpu');
      const want = tf.tidy(() => tf.matMul(tf.tensor(av, [M, K]), tf.tensor(bv, [K, N])).dataSync());
      await tf.setBackend('wasm');
      const got2 = backend.typedArrayFromHeap(out) as Float32Array;
      let abs = 0;
      let rel = 0;
      let scale = 0;
      for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got2[i] - want[i]);
        abs = Math.max(abs, d);
        rel = Math.max(rel, d / scale);
      }
      void got;
      errs = `${abs.toExponential(1)} | ${rel.toExponential(1)}`;
    }
    backend.disposeData(out.dataId);
    a.dispose();
    b.dispose();
    const g = (ms: number): string => (flops / ms / 1e6).toFixed(1);
    console.log(
      `${sh.name} | ${M}×${K}×${N} | ${g(best.x)} | ${g(best.f)} | ${g(best.m)} | ${(best.x / best.f).toFixed(2)} | ${errs}`,
    );
  }
  console.log(
    `load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
}

void main();
