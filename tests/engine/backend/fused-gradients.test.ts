/**
 * Lazy gradients of the fused conv2d / matMul ops (src/engine/backend/fused-gradients.ts).
 *
 * On cpu and on wasm: the gradient of each input is bit-identical to the one through
 * the unfused ops (tf.conv2d / tf.matMul + tf.add, whose registered gradients run the
 * same kernels), and to tfjs's eager form; only the gradients the tape needs are
 * computed (kernel calls counted with tf.profile); gradients of gradients still work;
 * wasm agrees with cpu (< 1e-4); nothing leaks; and a GAN training step gives
 * bit-identical weights with lazy and eager gradients while calling fewer kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { setLazyFusedGradients } from '../../../src/engine/backend/fused-gradients';
import { setStockWasmKernels } from '../../../src/engine/backend/wasm-kernels';
import { parseConfig } from '../../../src/engine/config/resolve';
import { GanSession } from '../../../src/engine/train/session';
import { blobData } from '../../helpers/tf';
import { randomData, relError, wasmDataCount } from './helpers';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  stride: number;
  pad: Pad;
  bias: boolean;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], k: [4, 4], cout: 5, stride: 2, pad: 'same', bias: true },
  { x: [1, 7, 9, 2], k: [3, 3], cout: 4, stride: 1, pad: 'valid', bias: false },
  { x: [5, 11, 10, 3], k: [5, 5], cout: 2, stride: 3, pad: 'same', bias: true },
  { x: [3, 9, 9, 4], k: [1, 1], cout: 3, stride: 2, pad: 'valid', bias: true },
  {
    x: [2, 10, 9, 2],
    k: [4, 3],
    cout: 3,
    stride: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 1],
      [0, 0],
    ],
    bias: false,
  },
];

const t4 = (shape: number[], seed: number) =>
  tf.tensor(
    randomData(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

/** Gradients of Σ y·w (w fixed, so dy is the same whatever y is) for the inputs named in `wrt`. */
function convGrads(c: ConvCase, fused: boolean, wrt: ('x' | 'filter' | 'bias')[]): Float32Array[] {
  return tf.tidy(() => {
    const x = t4(c.x, 1);
    const filter = t4([c.k[0], c.k[1], c.x[3], c.cout], 2);
    const bias = c.bias ? t4([c.cout], 3) : undefined;
    const f = (xx: tf.Tensor, ff: tf.Tensor, bb?: tf.Tensor): tf.Scalar => {
      const y = fused
        ? tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ff as tf.Tensor4D, strides: c.stride, pad: c.pad, bias: bb })
        : bb != null
          ? tf.add(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad), bb)
          : tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad);
      const w = t4(y.shape, 4);
      return tf.sum(tf.mul(y, w));
    };
    const all = { x, filter, bias };
    const names = wrt.filter((n) => all[n] != null);
    const g = tf.grads((...args: tf.Tensor[]) => {
      const v = { ...all };
      names.forEach((n, i) => (v[n] = args[i]));
      return f(v.x, v.filter, v.bias);
    })(names.map((n) => all[n]!));
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

/** Kernel names and counts of running `f` under tf.profile. */
async function kernelCounts(f: () => void): Promise<Map<string, number>> {
  const info = await tf.profile(() => {
    f();
  });
  const m = new Map<string, number>();
  for (const k of info.kernels) m.set(k.name, (m.get(k.name) ?? 0) + 1);
  return m;
}

afterEach(() => setLazyFusedGradients(true));

describe.each(['cpu', 'wasm'] as const)('lazy fused gradients on %s', (backend) => {
  it('gives every input the gradient of the unfused ops, bit for bit, and of the eager form', async () => {
    await activateBackend(backend);
    for (const c of CONV_CASES) {
      const wrt = ['x', 'filter', 'bias'] as ('x' | 'filter' | 'bias')[];
      const lazy = convGrads(c, true, wrt);
      const unfused = convGrads(c, false, wrt);
      setLazyFusedGradients(false);
      const eager = convGrads(c, true, wrt);
      setLazyFusedGradients(true);
      expect(lazy.length).toBe(c.bias ? 3 : 2);
      lazy.forEach((g, i) => {
        expect(Array.from(g), `${JSON.stringify(c)} input ${i}`).toEqual(Array.from(unfused[i]));
        expect(Array.from(g)).toEqual(Array.from(eager[i]));
      });
      // One input at a time gives the same numbers.
      expect(Array.from(convGrads(c, true, ['filter'])[0])).toEqual(Array.from(unfused[1]));
      expect(Array.from(convGrads(c, true, ['x'])[0])).toEqual(Array.from(unfused[0]));
    }
  });

  it('runs only the kernels of the gradients the tape needs (the eager form runs all)', async () => {
    await activateBackend(backend);
    const c = CONV_CASES[0];
    const onlyX = await kernelCounts(() => convGrads(c, true, ['x']));
    expect(onlyX.get('Conv2DBackpropInput')).toBe(1);
    expect(onlyX.has('Conv2DBackpropFilter')).toBe(false);
    const onlyW = await kernelCounts(() => convGrads(c, true, ['filter']));
    expect(onlyW.get('Conv2DBackpropFilter')).toBe(1);
    expect(onlyW.has('Conv2DBackpropInput')).toBe(false);
    setLazyFusedGradients(false);
    const eagerX = await kernelCounts(() => convGrads(c, true, ['x']));
    expect(eagerX.get('Conv2DBackpropFilter')).toBe(1);
    setLazyFusedGradients(true);

    // fused matMul: the gradient of a only is one product, not two.
    const a = t4([6, 5], 5);
    const b = t4([5, 7], 6);
    const counts = await kernelCounts(() =>
      tf.tidy(() =>
        tf.grad((aa: tf.Tensor) => tf.fused.matMul({ a: aa as tf.Tensor2D, b: b as tf.Tensor2D }).sum())(a),
      ),
    );
    expect(counts.get('BatchMatMul')).toBe(1);
    tf.dispose([a, b]);
  });

  it('gives fused matMul (all four transposes, with and without bias) the unfused gradients bit for bit', async () => {
    await activateBackend(backend);
    for (const [tA, tB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      for (const withBias of [false, true]) {
        tf.tidy(() => {
          const a = t4(tA ? [5, 6] : [6, 5], 7);
          const b = t4(tB ? [7, 5] : [5, 7], 8);
          const bias = t4([7], 9);
          const w = t4([6, 7], 10);
          const loss =
            (fused: boolean) =>
            (...[aa, bb, cc]: tf.Tensor[]) => {
              const y = fused
                ? tf.fused.matMul({
                    a: aa as tf.Tensor2D,
                    b: bb as tf.Tensor2D,
                    transposeA: tA,
                    transposeB: tB,
                    bias: cc,
                  })
                : cc != null
                  ? tf.add(tf.matMul(aa, bb, tA, tB), cc)
                  : tf.matMul(aa, bb, tA, tB);
              return tf.sum(tf.mul(y, w));
            };
          const inputs = withBias ? [a, b, bias] : [a, b];
          const got = tf.grads(loss(true))(inputs);
          const want = tf.grads(loss(false))(inputs);
          for (let i = 0; i < 2; i++) expect(Array.from(got[i].dataSync())).toEqual(Array.from(want[i].dataSync()));
          if (withBias) expect(Array.from(got[2].dataSync())).toEqual(Array.from(want[2].dataSync()));
        });
      }
    }
  });

  it('supports a gradient of a gradient (as WGAN-GP and R1 take through D)', async () => {
    await activateBackend(backend);
    const c = CONV_CASES[0];
    const second = (fused: boolean): Float32Array =>
      tf.tidy(() => {
        const x = t4(c.x, 1);
        const filter = t4([c.k[0], c.k[1], c.x[3], c.cout], 2);
        const bias = t4([c.cout], 3);
        const gradNorm = (ff: tf.Tensor): tf.Scalar => {
          const dx = tf.grad((xx: tf.Tensor) => {
            const y = fused
              ? tf.fused.conv2d({
                  x: xx as tf.Tensor4D,
                  filter: ff as tf.Tensor4D,
                  strides: c.stride,
                  pad: c.pad,
                  bias,
                })
              : tf.add(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad), bias);
            return tf.sum(tf.square(y));
          })(x);
          return tf.sum(tf.square(dx));
        };
        return tf.grad(gradNorm)(filter).dataSync() as Float32Array;
      });
    const got = second(true);
    const want = second(false);
    expect(relError(got, want)).toBeLessThan(1e-6);
    expect(got.some((v) => v !== 0)).toBe(true);
  });

  it('leaks no tensors over repeated gradients', async () => {
    await activateBackend(backend);
    const c = CONV_CASES[2];
    convGrads(c, true, ['x', 'filter', 'bias']);
    const n0 = tf.memory().numTensors;
    const d0 = wasmDataCount();
    for (let i = 0; i < 3; i++) {
      convGrads(c, true, ['x', 'filter', 'bias']);
      convGrads(c, true, ['filter']);
    }
    expect(tf.memory().numTensors).toBe(n0);
    if (backend === 'wasm') expect(wasmDataCount()).toBe(d0);
  });
});

describe('lazy fused gradients: wasm against cpu', () => {
  it('agree within 1e-4 on every case', async () => {
    const run = async (b: 'cpu' | 'wasm') => {
      await activateBackend(b);
      return CONV_CASES.map((c) => convGrads(c, true, ['x', 'filter', 'bias']));
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    cpu.forEach((gs, i) => gs.forEach((g, j) => expect(relError(wasm[i][j], g)).toBeLessThan(1e-4)));
  });
});

describe('a GAN step with lazy fused gradients', () => {
  it('trains bit-identical weights to the eager form while calling fewer conv and matMul kernels', async () => {
    await activateBackend('wasm');
    const config = parseConfig({
      model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
      batchSize: 4,
      gridSize: 2,
      seed: 5,
    });
    const data = blobData(8, 16, 3);
    const train = async (lazy: boolean, stock: boolean) => {
      setLazyFusedGradients(lazy);
      setStockWasmKernels(stock);
      const s = GanSession.create(config, 8);
      await s.trainStep(data);
      const counts = new Map<string, number>();
      const info = await tf.profile(async () => {
        await s.trainStep(data);
      });
      for (const k of info.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
      const weights = [...s.g.getWeights(), ...s.d.getWeights()].map((w) => Array.from(w.dataSync()));
      s.dispose();
      return { counts, weights };
    };
    const lazy = await train(true, false);
    const eager = await train(false, false);
    const stockIdentity = await train(true, true);
    setStockWasmKernels(false);
    setLazyFusedGradients(true);
    expect(lazy.weights).toEqual(eager.weights);
    expect(lazy.weights.length).toBeGreaterThan(0);
    // D has 3 convs: its weight gradients are skipped in the G step, its first layer's input gradient in the D step.
    expect(lazy.counts.get('Conv2DBackpropFilter')!).toBeLessThan(eager.counts.get('Conv2DBackpropFilter')!);
    expect(lazy.counts.get('Conv2DBackpropInput')!).toBeLessThan(eager.counts.get('Conv2DBackpropInput')!);
    // With the stock wasm kernels put back, the wrappers still find the fused ops' attributes.
    expect(stockIdentity.counts.get('Conv2DBackpropFilter')).toBe(lazy.counts.get('Conv2DBackpropFilter'));
  });
});
