/**
 * The kernels GAN Studio's wasm module runs besides the GEMM (src/engine/backend/
 * wasm-elementwise.ts, wasm-reduce.ts, wasm-adam.ts, wasm-batchnorm.ts, wasm-identity.ts,
 * the dW path's transposes and the transposed conv's interleave), against the paths they
 * replaced (setWasmElementwiseEnabled(false): XNNPACK op chains, stock scalar kernels, JS
 * loops, copying Identity), alternating in one process, at dcgan shapes, batch 64.
 *
 *   npx tsx bench/wasm-elementwise.ts [--reps 15] [--threads 1]
 *
 * Prints ms per call (best of --reps) for the old path and the module, per round (2 rounds).
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { setWasmElementwiseEnabled } from '../src/engine/backend/wasm-gemm';
import { Adam } from '../src/engine/train/adam';
import { arg } from './args';

function best(reps: number, f: () => tf.Tensor | tf.Tensor[] | void): number {
  let ms = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = f(); // wasm kernels run synchronously: no read-back needed (it would add a copy)
    ms = Math.min(ms, performance.now() - t0);
    if (r != null) tf.dispose(r);
  }
  return ms;
}

async function main(): Promise<void> {
  const reps = Number(arg('reps', '15'));
  const threads = Number(arg('threads', '1'));
  await activateBackend('wasm', { threads });
  const x = tf.randomNormal([64, 14, 14, 64]);
  const dy = tf.randomNormal([64, 14, 14, 64]);
  const c = tf.randomNormal([64]);
  const pos = tf.randomUniform([64], 0.5, 1);
  const x32 = tf.randomNormal([64, 32, 32, 64]);
  const dy16 = tf.randomNormal([64, 16, 16, 128]);
  const dy7 = tf.randomNormal([64, 7, 7, 128]);
  const w7 = tf.randomNormal([4, 4, 64, 128]);
  const dense = tf.variable(tf.randomNormal([100, 6272]));
  const g = tf.randomNormal([100, 6272]);
  const adam = new Adam([dense], { lr: 2e-4, beta1: 0.5, beta2: 0.999 });
  const dW = (xx: tf.Tensor4D, d: tf.Tensor4D) =>
    tf.engine().runKernel('Conv2DBackpropFilter', { x: xx, dy: d }, {
      strides: 2,
      pad: 'same',
      dataFormat: 'NHWC',
      filterShape: [4, 4, xx.shape[3], d.shape[3]],
    } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const cases: [string, () => tf.Tensor | tf.Tensor[] | void][] = [
    ['LeakyRelu 64×14×14×64', () => tf.leakyRelu(x, 0.2)],
    ['its gradient (tf.grad of sum(leakyRelu(x)·dy))', () => tf.grad((a) => tf.leakyRelu(a, 0.2).mul(dy).sum())(x)],
    ['Sum 64×14×14×64 over N, H, W', () => x.sum([0, 1, 2])],
    ['FusedBatchNorm 64×14×14×64', () => tf.batchNorm(x, c, pos, c, pos, 1e-5)],
    ['Identity (clone) 64×14×14×64', () => x.clone()],
    ['Adam update 100×6272', () => adam.apply([g])],
    ['dW 64×14×14×64 ↔ 7×7×128', () => dW(x as tf.Tensor4D, dy7 as tf.Tensor4D)],
    ['dW 64×32×32×64 ↔ 16×16×128', () => dW(x32 as tf.Tensor4D, dy16 as tf.Tensor4D)],
    [
      'conv2dTranspose 7×7×128 → 14×14×64',
      () => tf.conv2dTranspose(dy7 as tf.Tensor4D, w7 as tf.Tensor4D, [64, 14, 14, 64], 2, 'same'),
    ],
  ];
  console.log(
    `wasm, ${threads} thread(s), best of ${reps}; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log('kernel | old ms | module ms | old ms | module ms');
  for (const [name, f] of cases) {
    const row: string[] = [];
    for (const on of [false, true, false, true]) {
      setWasmElementwiseEnabled(on);
      row.push(best(reps, f).toFixed(2));
    }
    setWasmElementwiseEnabled(true);
    console.log(`${name} | ${row.join(' | ')}`);
  }
  console.log(
    `load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

void main();
