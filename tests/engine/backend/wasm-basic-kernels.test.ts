/**
 * GAN Studio's wasm replacements for BatchMatMul (transposed operands), Tile, and
 * Sum / Mean over leading axes, against the JS cpu backend, plus leak checks.
 *
 * Error measure: max|wasm − cpu| / max(1, max|cpu|), required < 1e-4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../../src/engine/backend';
import { batchMatMulWasm, leakyReluWasm, meanWasm, sumWasm, tileWasm } from '../../../src/engine/backend/wasm-kernels';
import { expectNoLeak, onBackend, onWasmAndCpu, randomTensor as rand, relError } from './helpers';

async function both(f: () => { data: Float32Array | Int32Array | Uint8Array; shape: number[] }): Promise<number> {
  const { wasm, cpu } = await onWasmAndCpu(() => tf.tidy(() => f()));
  expect(wasm.shape).toEqual(cpu.shape);
  return relError(wasm.data, cpu.data);
}

const run = (t: tf.Tensor) => ({ data: t.dataSync() as Float32Array, shape: t.shape });

beforeAll(async () => {
  await activateBackend('wasm');
});

describe('wasm kernel registrations', () => {
  it('are registered for wasm only', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(batchMatMulWasm);
    expect(tf.getKernel('Tile', 'wasm')?.kernelFunc).toBe(tileWasm);
    expect(tf.getKernel('Sum', 'wasm')?.kernelFunc).toBe(sumWasm);
    expect(tf.getKernel('Mean', 'wasm')?.kernelFunc).toBe(meanWasm);
    expect(tf.getKernel('LeakyRelu', 'wasm')?.kernelFunc).toBe(leakyReluWasm);
    for (const k of ['BatchMatMul', 'Tile', 'Sum', 'Mean', 'LeakyRelu']) {
      expect(tf.getKernel(k, 'cpu')?.kernelFunc).not.toBe(tf.getKernel(k, 'wasm')?.kernelFunc);
    }
  });
});

describe('BatchMatMul with transposed operands on wasm', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[13, 11], [13, 17], true, false], // prime sides: 2-D transpose fallback
    [[1, 9], [1, 4], true, false], // size-1 sides: reshape only
    [[64, 100], [64, 50], true, false], // a dense layer's weight gradient
    [[64, 1], [96, 1], false, true], // dy · Wᵀ of a one-unit dense layer
    [[3, 6, 5], [3, 6, 4], true, false], // batched
    [[2, 3, 4, 5], [2, 3, 6, 5], false, true], // rank 4
    [[1, 6, 5], [3, 6, 4], true, false], // broadcast batch
    [[6, 5], [5, 4], false, false], // plain (stock path)
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('matches cpu: %s', async (_n, [sa, sb, ta, tb]) => {
    expect(await both(() => run(tf.matMul(rand(sa, 1), rand(sb, 2), ta, tb)))).toBeLessThan(1e-4);
  });

  it('gives dense-layer gradients equal to cpu', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = rand([9, 12], 3);
        const w = rand([12, 7], 4);
        const b = rand([7], 5);
        const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(
            tf.square(tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: b, activation: 'relu' })),
          ),
        )([x, w]);
        return { data: Float32Array.from([...gx.dataSync(), ...gw.dataSync()]), shape: [gx.size + gw.size] };
      });
    expect(await both(grads)).toBeLessThan(1e-4);
  });
});

describe('Tile on wasm', () => {
  const cases: [number[], number[]][] = [
    [
      [1, 1, 1, 5],
      [4, 3, 2, 1],
    ], // BatchNorm's broadcast
    [
      [1, 1, 1, 64],
      [8, 7, 7, 1],
    ],
    [
      [2, 3],
      [3, 2],
    ],
    [[3], [4]],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
    [
      [2, 3, 4],
      [1, 1, 1],
    ],
    [
      [3, 2, 1, 2, 1],
      [2, 1, 3, 1, 2],
    ], // rank 5
    [
      [4, 5],
      [1, 3],
    ],
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('matches cpu: %s', async (_n, [shape, reps]) => {
    expect(await both(() => run(tf.tile(rand(shape, 7), reps)))).toBeLessThan(1e-4);
  });

  it('tiles int32 and bool tensors', async () => {
    expect(await both(() => run(tf.tile(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [2, 3])))).toBe(0);
    expect(await both(() => run(tf.tile(tf.tensor2d([true, false, false, true], [2, 2], 'bool'), [3, 1])))).toBe(0);
  });
});

describe('Sum and Mean over leading axes on wasm', () => {
  const cases: [number[], number[], boolean][] = [
    [[4, 3, 3, 5], [0, 1, 2], false], // BatchNorm / bias gradients
    [[4, 3, 3, 5], [0, 1, 2], true],
    [[4, 3, 3, 5], [2, 0, 1], false], // unsorted axes
    [[6, 7], [0], false],
    [[6, 7], [0], true],
    [[4, 3, 5], [0, 1], false],
    [[4, 3, 5], [1, 2], false], // trailing: stock path
    [[4, 3, 5], [0, 2], false], // mixed: stock path
    [[4, 3, 5], [0, 1, 2], false], // all: stock path
    [[64, 8, 8, 16], [0, 1, 2], false], // a larger one
  ];
  for (const op of ['sum', 'mean'] as const) {
    it.each(cases.map((c) => [JSON.stringify(c), c] as const))(
      `${op} matches cpu: %s`,
      async (_n, [shape, axes, keep]) => {
        expect(await both(() => run(tf[op](rand(shape, 9).mul(3), axes, keep)))).toBeLessThan(1e-4);
      },
    );
  }

  it('leaves int32 sums to the stock kernel and matches cpu', async () => {
    expect(await both(() => run(tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), 0)))).toBe(0);
  });
});

describe('LeakyRelu (and the Greater / Select of its gradient) on wasm', () => {
  it('leakyRelu matches cpu, including zeros and the gradient', async () => {
    const f = () => {
      const x = tf.concat([rand([4, 5, 5, 3], 31).reshape([-1]), tf.zeros([7])]);
      const y = tf.leakyRelu(x, 0.2);
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.leakyRelu(xx, 0.3).mul(rand([x.size], 32))))(x);
      return { data: Float32Array.from([...y.dataSync(), ...g.dataSync()]), shape: [y.size + g.size] };
    };
    expect(await both(f)).toBeLessThan(1e-6);
    // alpha outside [0, 1] takes the stock kernel
    expect(await both(() => run(tf.leakyRelu(rand([3, 7], 39), 1.5)))).toBeLessThan(1e-6);
  });

  it('greater matches cpu: scalar, same shape, broadcast and int32 (stock paths)', async () => {
    const f = () => {
      const a = rand([3, 4, 5], 33);
      const parts = [
        tf.greater(a, 0),
        tf.greater(a, tf.scalar(0.25)),
        tf.greater(a, rand([3, 4, 5], 34)),
        tf.greater(a, rand([5], 35)),
        tf.greater(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([2, 2, 2], 'int32')),
      ];
      return {
        data: Uint8Array.from(parts.flatMap((p) => Array.from(p.dataSync() as Uint8Array))),
        shape: [parts.reduce((s, p) => s + p.size, 0)],
      };
    };
    expect(await both(f)).toBe(0);
  });

  it('where matches cpu: same shapes and a broadcast condition', async () => {
    const f = () => {
      const a = rand([3, 4, 5], 36);
      const b = rand([3, 4, 5], 37);
      const c = tf.greater(rand([3, 4, 5], 38), 0);
      const rows = tf.tensor1d([true, false, true, true, false], 'bool'); // broadcast over the last axis
      const y = tf.concat([tf.where(c, a, b).reshape([-1]), tf.where(rows, a, b).reshape([-1])]);
      return { data: y.dataSync() as Float32Array, shape: y.shape };
    };
    expect(await both(f)).toBe(0);
  });
});

describe('leaks', () => {
  it('engine tensors and wasm buffers stay flat over repeated calls', async () => {
    await onBackend('wasm', () => {
      const work = (i: number) =>
        tf.tidy(() => {
          const a = rand([64, 100], i);
          const b = rand([64, 50], i + 1);
          tf.matMul(a, b, true, false).dataSync();
          tf.matMul(b, rand([30, 50], i + 2), false, true).dataSync();
          tf.matMul(rand([1, 9], i), rand([1, 4], i), true, false).dataSync();
          tf.matMul(rand([13, 11], i), rand([13, 17], i), true, false).dataSync();
          tf.matMul(rand([3, 6, 5], i), rand([3, 4, 6], i), true, true).dataSync();
          tf.tile(rand([1, 1, 1, 8], i), [4, 3, 3, 1]).dataSync();
          tf.sum(rand([4, 3, 3, 8], i), [0, 1, 2], true).dataSync();
          tf.mean(rand([4, 3, 3, 8], i), [0, 1, 2]).dataSync();
          tf.mean(rand([4, 3, 8], i), [1, 2]).dataSync();
          tf.grad((xx: tf.Tensor) => tf.sum(tf.leakyRelu(xx, 0.2)))(rand([4, 6], i)).dataSync();
          tf.where(tf.greater(rand([5], i), 0), rand([5], i), rand([5], i + 1)).dataSync();
          // BatchNorm's gradient (Tile, Sum, Mean) through tf.grad.
          const x = rand([4, 5, 5, 3], i);
          const g = tf.grad((xx: tf.Tensor) => {
            const { mean, variance } = tf.moments(xx, [0, 1, 2]);
            return tf.sum(
              tf.square(
                tf.batchNorm(
                  xx as tf.Tensor4D,
                  mean,
                  variance,
                  rand([3], i + 3) as tf.Tensor1D,
                  rand([3], i + 4) as tf.Tensor1D,
                  1e-5,
                ),
              ),
            );
          })(x);
          g.dataSync();
        });
      work(1);
      expectNoLeak(() => {
        for (let i = 0; i < 10; i++) work(i);
      });
    });
  });

  it('BatchNorm gradients equal cpu', async () => {
    const f = () => {
      const x = rand([4, 5, 5, 3], 21);
      const gamma = rand([3], 22).add(1.5);
      const beta = rand([3], 23);
      const [gx, gg, gb] = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, [0, 1, 2]);
        return tf.sum(
          tf
            .square(tf.batchNorm(xx as tf.Tensor4D, mean, variance, bb as tf.Tensor1D, gg as tf.Tensor1D, 1e-5))
            .mul(rand([4, 5, 5, 3], 24)),
        );
      })([x, gamma, beta]);
      return { data: Float32Array.from([...gx.dataSync(), ...gg.dataSync(), ...gb.dataSync()]), shape: [gx.size + 6] };
    };
    expect(await both(f)).toBeLessThan(1e-4);
  });
});
