/**
 * The GEMM's convolution kernels before and after packing A (src/engine/backend/wasm-gemm.ts),
 * measured as whole sweeps that alternate in one process, so both see the same load.
 *
 *   npx tsx bench/wasm-gemm-sweep.ts [--threads 1] [--sweeps 8]
 *
 * A sweep runs conv2d, conv2dTranspose (Conv2DBackpropInput) and Conv2DBackpropFilter of
 * the DCGAN layers that use the GEMM (batch 64, 4×4 filters, stride 2), once each; the two
 * modes ("rows": the row-pointer microkernel on A in place, one tap per block call;
 * "packed": A packed per block call, whole taps grouped, the default) alternate sweep by
 * sweep (ABBA). Prints per kernel the min and median ms of each mode, then the sweep
 * totals and their ratio: on a shared machine the min is the figure to compare, the median
 * says how disturbed the run was.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { setWasmGemmPackedA } from '../src/engine/backend/wasm-gemm';
import { arg } from './args';

type Shape4 = [number, number, number, number];
const LAYERS: [string, Shape4, Shape4][] = [
  ['d64 32x32x64<->16x16x128', [64, 32, 32, 64], [64, 16, 16, 128]],
  ['d64 16x16x128<->8x8x256', [64, 16, 16, 128], [64, 8, 8, 256]],
  ['d64 8x8x256<->4x4x512', [64, 8, 8, 256], [64, 4, 4, 512]],
  ['d28 14x14x64<->7x7x128', [64, 14, 14, 64], [64, 7, 7, 128]],
];

const min = (a: number[]): number => Math.min(...a);
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

async function main(): Promise<void> {
  const threads = Number(arg('threads', '1'));
  const sweeps = Number(arg('sweeps', '8'));
  await activateBackend('wasm', { threads });
  const kernels: [string, () => void][] = [];
  const held: tf.Tensor[] = [];
  for (const [name, xs, ds] of LAYERS) {
    const x = tf.randomUniform(xs, -1, 1, 'float32', 3) as tf.Tensor4D;
    const dy = tf.randomUniform(ds, -1, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomUniform([4, 4, xs[3], ds[3]], -1, 1, 'float32', 5) as tf.Tensor4D;
    held.push(x, dy, w);
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [4, 4, xs[3], ds[3]] };
    kernels.push([`${name} Conv2D`, () => tf.conv2d(x, w, 2, 'same').dispose()]);
    kernels.push([`${name} BackpropInput`, () => tf.conv2dTranspose(dy, w, xs, 2, 'same').dispose()]);
    kernels.push([
      `${name} BackpropFilter`,
      () => (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor).dispose(),
    ]);
  }
  const modes = ['rows', 'packed'];
  const ms: number[][][] = modes.map(() => kernels.map(() => []));
  for (const [, f] of kernels) f(); // warm-up
  for (let s = 0; s < sweeps; s++) {
    for (let k = 0; k < modes.length; k++) {
      const m = s % 2 === 0 ? k : modes.length - 1 - k;
      setWasmGemmPackedA(modes[m] === 'packed');
      kernels.forEach(([, f], i) => {
        const t0 = performance.now();
        f();
        ms[m][i].push(performance.now() - t0);
      });
    }
  }
  setWasmGemmPackedA(true);
  tf.dispose(held);
  const load = loadavg()
    .map((v) => v.toFixed(1))
    .join(' ');
  console.log(`${threads} thread(s), ${sweeps} sweeps per mode, load ${load}`);
  console.log('kernel | rows min / median ms | packed min / median ms');
  kernels.forEach(([name], i) => {
    const cell = (m: number): string => `${min(ms[m][i]).toFixed(1)} / ${median(ms[m][i]).toFixed(1)}`;
    console.log(`${name} | ${cell(0)} | ${cell(1)}`);
  });
  const totals = modes.map((_, m) => ms[m][0].map((__, s) => kernels.reduce((a, ___, i) => a + ms[m][i][s], 0)));
  const [r, p] = totals;
  console.log(
    `sweep ms, rows: min ${min(r).toFixed(0)} median ${median(r).toFixed(0)}; packed: min ${min(p).toFixed(0)} median ${median(p).toFixed(0)}; packed/rows: min ${(min(p) / min(r)).toFixed(3)}, median ${(median(p) / median(r)).toFixed(3)}`,
  );
}

void main();
