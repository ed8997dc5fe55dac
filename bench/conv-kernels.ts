/**
 * Micro-benchmark of the convolution kernels a DCGAN training step runs on the
 * wasm backend: GAN Studio's Conv2DBackpropFilter and Conv2DBackpropInput
 * (src/engine/backend/wasm-kernels.ts), the stock Conv2DBackpropInput it replaces
 * (column "stock BpInput") and the stock FusedConv2D.
 *
 *   npx tsx bench/conv-kernels.ts [--batch 64] [--only dcgan-28|dcgan-64] [--min-ms 600] [--stat median|best] [--no-stock]
 *
 * On a shared machine, --stat best (the fastest run) is closer to the uncontended speed.
 *
 * Every conv layer of a DCGAN links a big map [N,H,W,Cb] and a small map [N,h,w,Cs]
 * (h = H/stride, or 1 for the 'valid' 4×4 end layers, marked v) through a filter [k,k,Cb,Cs]. A training step runs three kernels per layer:
 *   FusedConv2D          big → small (D forward, G's dx)
 *   Conv2DBackpropInput  small → big (G forward = conv2dTranspose, D's dx)
 *   Conv2DBackpropFilter (big, small) → filter (both nets' weight gradients)
 * All three do 2·N·h·w·k²·Cb·Cs nominal FLOPs (padding taps counted), which is what
 * GFLOP/s is computed from.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { setStockWasmKernels } from '../src/engine/backend/wasm-kernels';
import { arg } from './args';

interface Layer {
  name: string;
  big: [number, number, number]; // H, W, Cb
  small: [number, number, number]; // h, w, Cs
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

function layer(
  big: [number, number, number],
  small: [number, number, number],
  k: number,
  stride: number,
  pad: 'same' | 'valid',
): Layer {
  const name = `${big.join('×')} ↔ ${small.join('×')}${pad === 'valid' ? ' v' : ''}`;
  return { name, big, small, k, stride, pad };
}

// The shapes of src/engine/models/dcgan.ts with the presets' widths (baseWidth 64).
// dcgan-28 (dcgan-dense): dense → 7×7×128, convT k4/2 → 14×14×64, convT k4/2 → 28×28×1; D mirrors it.
const DCGAN28: Layer[] = [
  layer([28, 28, 1], [14, 14, 64], 4, 2, 'same'),
  layer([14, 14, 64], [7, 7, 128], 4, 2, 'same'),
];
// dcgan-64 (dcgan-conv, Radford et al.): z as [1,1,100] → convT k4 valid → 4×4×512, then k4/2 'same'
// up to 64×64×3; D mirrors it and ends with conv k4 valid → 1×1×1.
const DCGAN64: Layer[] = [
  layer([64, 64, 3], [32, 32, 64], 4, 2, 'same'),
  layer([32, 32, 64], [16, 16, 128], 4, 2, 'same'),
  layer([16, 16, 128], [8, 8, 256], 4, 2, 'same'),
  layer([8, 8, 256], [4, 4, 512], 4, 2, 'same'),
  layer([4, 4, 512], [1, 1, 100], 4, 1, 'valid'), // G's first layer
  layer([4, 4, 512], [1, 1, 1], 4, 1, 'valid'), // D's last layer
];

function timeKernel(fn: () => tf.Tensor, minMs: number, stat: 'median' | 'best'): number {
  // The callbacks return nothing: tidy() walks a returned container, which for a big
  // typed array costs more than the convolution itself.
  const once = (): void =>
    tf.tidy(() => {
      fn().dataSync();
    });
  once(); // warm-up (XNNPACK operator caches, heap growth)
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 3 || (performance.now() - t0 < minMs && times.length < 50)) {
    const s = performance.now();
    once();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  return stat === 'best' ? times[0] : times[Math.floor(times.length / 2)]; // ms
}

async function main(): Promise<void> {
  const batch = Number(arg('batch', '64'));
  const only = arg('only', '');
  const minMs = Number(arg('min-ms', '600'));
  const stat = arg('stat', 'median') === 'best' ? 'best' : 'median';
  const noStock = process.argv.includes('--no-stock');
  const active = await activateBackend('wasm');
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(`backend: ${active.tfBackend} (${active.why}); batch ${batch}; ${stat} of ≥3 runs; load average ${load}`);
  const models: [string, Layer[]][] = [
    ['dcgan-28', DCGAN28],
    ['dcgan-64', DCGAN64],
  ];
  const pad = (s: string, n: number): string => s.padEnd(n);
  for (const [model, layers] of models) {
    if (only && only !== model) continue;
    console.log(`\n${model}`);
    console.log(
      `${pad('layer (big ↔ small)', 30)}${pad('MFLOP', 9)}${pad('FusedConv2D', 20)}${pad('BackpropInput', 20)}${pad('stock BpInput', 20)}BackpropFilter`,
    );
    const totals = { fwd: 0, bin: 0, stock: 0, bf: 0, flops: 0 };
    for (const L of layers) {
      const [H, W, cb] = L.big;
      const [h, w, cs] = L.small;
      const big = tf.randomNormal([batch, H, W, cb]) as tf.Tensor4D;
      const small = tf.randomNormal([batch, h, w, cs]) as tf.Tensor4D;
      const filter = tf.randomNormal([L.k, L.k, cb, cs]) as tf.Tensor4D;
      const flops = 2 * batch * h * w * L.k * L.k * cb * cs;
      const strides: [number, number] = [L.stride, L.stride];
      const fwd = timeKernel(() => tf.fused.conv2d({ x: big, filter, strides, pad: L.pad }), minMs, stat);
      const backpropInput = (): tf.Tensor =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy: small, filter }, {
          strides,
          pad: L.pad,
          dataFormat: 'NHWC',
          inputShape: [batch, H, W, cb],
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const bin = timeKernel(backpropInput, minMs, stat);
      setStockWasmKernels(true);
      const stockBin = noStock ? NaN : timeKernel(backpropInput, minMs, stat);
      setStockWasmKernels(false);
      const bf = timeKernel(
        () =>
          tf.engine().runKernel('Conv2DBackpropFilter', { x: big, dy: small }, {
            strides,
            pad: L.pad,
            dataFormat: 'NHWC',
            filterShape: [L.k, L.k, cb, cs],
          } as unknown as tf.NamedAttrMap) as tf.Tensor,
        minMs,
        stat,
      );
      tf.dispose([big, small, filter]);
      const cell = (ms: number): string => pad(`${ms.toFixed(1)} ms ${(flops / ms / 1e6).toFixed(1)} GF/s`, 20);
      console.log(
        `${pad(L.name, 30)}${pad((flops / 1e6).toFixed(0), 9)}${cell(fwd)}${cell(bin)}${cell(stockBin)}${cell(bf)}`,
      );
      totals.fwd += fwd;
      totals.bin += bin;
      totals.stock += stockBin;
      totals.bf += bf;
      totals.flops += flops;
    }
    const cell = (ms: number): string => pad(`${ms.toFixed(1)} ms ${(totals.flops / ms / 1e6).toFixed(1)} GF/s`, 20);
    console.log(
      `${pad('total', 30)}${pad((totals.flops / 1e6).toFixed(0), 9)}${cell(totals.fwd)}${cell(totals.bin)}${cell(totals.stock)}${cell(totals.bf)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
