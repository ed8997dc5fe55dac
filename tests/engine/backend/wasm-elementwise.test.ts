/**
 * The element-wise kernels on GAN Studio's wasm module (LeakyRelu, its fused gradient,
 * Sum/Mean column sums, the fused Adam update, the dW path's transposes, the transposed conv's interleave, FusedBatchNorm,
 * Add/Sub/Multiply/Square) and the
 * copy-free Identity: bit for bit
 * the results of the paths they replace (the XNNPACK op chains, the JS loop) or of the
 * cpu backend where the definition is exact, the same bits on 2 threads as on 1 (with
 * tensors large enough to be split across the pool), and no leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { wasmAdamAvailable } from '../../../src/engine/backend/wasm-adam';
import { setWasmElementwiseEnabled, setWasmGemmEnabled } from '../../../src/engine/backend/wasm-gemm';
import {
  setConvFilterStrategyForTests,
  setConvInputStrategyForTests,
  setStockWasmKernels,
} from '../../../src/engine/backend/wasm-kernels';
import { Adam } from '../../../src/engine/train/adam';
import { expectNoLeak, randomTensor as rand, relError, sameBits } from './helpers';

/** Values on the active backend with the module on, then off (the paths it replaces). */
function moduleAndOld(f: () => tf.Tensor): { on: Float32Array; off: Float32Array } {
  const on = tf.tidy(() => f().dataSync() as Float32Array);
  setWasmGemmEnabled(false);
  try {
    return { on, off: tf.tidy(() => f().dataSync() as Float32Array) };
  } finally {
    setWasmGemmEnabled(true);
  }
}

async function onCpu<T>(f: () => T): Promise<T> {
  await activateBackend('cpu');
  try {
    return f();
  } finally {
    await activateBackend('wasm', { threads: 1 });
  }
}

const SIZES = [[1], [3], [7], [5, 13, 13, 16], [64, 1031]];

/** Three Adam steps on fresh variables of `shapes`; returns every variable and moment. */
function adamRun(shapes: number[][]): Float32Array[] {
  const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(rand(s, 10 + i))));
  const adam = new Adam(vars, { lr: 2e-4, beta1: 0.5, beta2: 0.999 });
  for (let step = 0; step < 3; step++) {
    const grads = shapes.map((s, i) => rand(s, 100 * step + i));
    adam.apply(grads);
    grads.forEach((g) => g.dispose());
  }
  const state = adam.getState().tensors;
  const out = [
    ...vars.map((v) => v.dataSync() as Float32Array),
    ...Object.values(state).map((t) => t.dataSync() as Float32Array),
  ];
  vars.forEach((v) => v.dispose());
  adam.dispose();
  return out.map((a) => a.slice());
}

/** Every kernel here, on tensors large enough for the pool to split them. */
function bigWorkload(): Float32Array[] {
  const out = tf.tidy(() => {
    const x = rand([300_001], 1);
    const dy = rand([300_001], 2);
    const lr = tf.leakyRelu(x, 0.2);
    const g = tf.grad((a) => tf.leakyRelu(a, 0.2).mul(dy).sum())(x);
    const wide = rand([300, 1030], 3);
    const xc = rand([16, 12, 12, 20], 5) as tf.Tensor4D;
    const dw = tf.grad((w: tf.Tensor) =>
      tf
        .conv2d(xc, w as tf.Tensor4D, 2, 'same')
        .square()
        .sum(),
    )(rand([4, 4, 20, 24], 6));
    const ct = tf.conv2dTranspose(
      rand([16, 8, 8, 32], 12) as tf.Tensor4D,
      rand([4, 4, 40, 32], 13) as tf.Tensor4D,
      [16, 16, 16, 40],
      2,
      'same',
    );
    const bn = tf.batchNorm(
      rand([64, 14, 14, 64], 7),
      rand([64], 8),
      rand([64], 9).abs(),
      rand([64], 10),
      rand([64], 11),
    );
    const big = rand([64, 14, 14, 64], 14);
    const ch = rand([64], 15);
    const bin = [
      big.mul(ch),
      ch.sub(big),
      big.add(rand([64, 14, 14, 64], 16)),
      big.square(),
      big.mul(tf.scalar(0.3)),
      big.div(ch),
    ];
    return [lr, g, wide.sum(0), wide.mean(0), rand([64, 14, 14, 64], 4).sum([0, 1, 2]), dw, bn, ct, ...bin].map((t) =>
      (t.dataSync() as Float32Array).slice(),
    );
  });
  return [...out, ...adamRun([[200_003], [5]])];
}

beforeAll(async () => {
  await activateBackend('wasm', { threads: 1 });
});

afterEach(() => {
  setWasmGemmEnabled(true);
});

afterAll(async () => {
  await activateBackend('wasm', { threads: 1 });
});

/**
 * `f` on the module's kernels has the stock wasm kernels' exact bits, and matches cpu to
 * float32 rounding (cpu may compute in double, so it can differ in the last bit).
 */
async function expectStockBitsAndCpu(f: () => tf.Tensor): Promise<void> {
  const on = tf.tidy(() => f().dataSync() as Float32Array);
  setStockWasmKernels(true);
  const stock = tf.tidy(() => f().dataSync() as Float32Array);
  setStockWasmKernels(false);
  expect(sameBits(on, stock)).toBe(true);
  const cpu = await onCpu(() => tf.tidy(() => f().dataSync() as Float32Array));
  expect(relError(on, cpu)).toBeLessThan(1e-6);
}

describe('wasm module element-wise kernels', () => {
  // The stock wasm kernel is the definition in float32 (x < 0 ? α·x : x, α a float32);
  // the cpu backend multiplies by α as a double, so it may differ in the last bit.
  it.each(SIZES)('LeakyRelu has the bits of the stock (scalar) wasm kernel, and matches cpu: %j', async (...shape) => {
    const f = () => tf.leakyRelu(rand(shape, 5).mul(3), 0.2);
    await expectStockBitsAndCpu(f);
  });

  it('LeakyRelu keeps NaN, ±0 and ±Infinity as the definition does', () => {
    const values = [NaN, 0, -0, Infinity, -Infinity, -1, 1, 2.5, -2.5];
    const show = (a: Float32Array) => Array.from(a).map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    const got = tf.tidy(() => tf.leakyRelu(tf.tensor1d(values), 0.5).dataSync() as Float32Array);
    expect(show(got)).toEqual(['NaN', '0', '-0', 'Infinity', '-Infinity', '-0.5', '1', '2.5', '-1.25']);
  });

  it.each(SIZES)("LeakyRelu's fused gradient has the bits of Step · Multiply and of cpu: %j", async (...shape) => {
    const f = () => {
      const x = rand(shape, 6);
      const dy = rand(shape, 7);
      return tf.grad((a) => tf.leakyRelu(a, 0.2).mul(dy).sum())(x);
    };
    const { on, off } = moduleAndOld(f);
    expect(sameBits(on, off)).toBe(true);
    const cpu = await onCpu(() => tf.tidy(() => f().dataSync() as Float32Array));
    expect(sameBits(on, cpu)).toBe(true);
  });

  it('second-order gradients through LeakyRelu (R1, WGAN-GP) still match cpu', async () => {
    const f = () => {
      const w = rand([6, 6], 8);
      const inner = (x: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.leakyRelu(y.matMul(w), 0.2).square().sum())(x);
      return tf.grad((x: tf.Tensor) => inner(x).square().sum())(rand([4, 6], 9));
    };
    const on = tf.tidy(() => f().dataSync() as Float32Array);
    const cpu = await onCpu(() => tf.tidy(() => f().dataSync() as Float32Array));
    expect(relError(on, cpu)).toBeLessThan(1e-5);
  });

  it.each([
    [[5, 3], [0]],
    [
      [64, 14, 14, 64],
      [0, 1, 2],
    ],
    [[7, 1031], [0]],
    [
      [2, 3, 5, 7],
      [0, 1],
    ],
  ])('Sum and Mean over leading axes %j %j: the bits of the float64 JS loop', (shape, axes) => {
    for (const op of ['sum', 'mean'] as const) {
      const { on, off } = moduleAndOld(() => rand(shape, 11)[op](axes));
      expect(sameBits(on, off), op).toBe(true);
    }
  });

  it.each([
    [[17, 9, 7, 6], [3, 3], 2, 'same'],
    [[16, 8, 8, 16], [4, 4], 2, 'same'],
    [[5, 8, 8, 12], [4, 4], 2, 'valid'],
    [[16, 6, 6, 1], [3, 3], 1, 'same'],
  ] as const)(
    "dW's conv path with the module's transposes has the bits of the old copies: x %j, kernel %j, stride %i, %s",
    (xShape, [kh, kw], stride, pad) => {
      const prev = setConvFilterStrategyForTests('conv');
      try {
        const f = () => {
          const x = rand([...xShape], 14) as tf.Tensor4D;
          const w = rand([kh, kw, xShape[3], 8], 15) as tf.Tensor4D;
          return tf.grad((ww: tf.Tensor) =>
            tf
              .conv2d(x, ww as tf.Tensor4D, stride, pad)
              .square()
              .sum(),
          )(w);
        };
        const { on, off } = moduleAndOld(f);
        expect(on.length).toBe(kh * kw * xShape[3] * 8);
        // The GEMM runs under both (setWasmGemmEnabled toggles it too), so compare against the GEMM-free dW within rounding.
        expect(relError(on, off)).toBeLessThan(1e-4);
        setWasmElementwiseEnabled(false);
        const oldMoves = tf.tidy(() => f().dataSync() as Float32Array);
        setWasmElementwiseEnabled(true);
        expect(sameBits(on, oldMoves)).toBe(true);
      } finally {
        setConvFilterStrategyForTests(prev);
      }
    },
  );

  it.each([
    [[5, 3], [3], true],
    [[64, 14, 14, 64], [64], true],
    [[2, 4, 4, 7], [1, 1, 1, 7], false],
    [[6, 10], [], true],
    [[6, 10], [6, 1], true],
  ])('FusedBatchNorm x %j, statistics %j (offset and scale: %s) matches cpu', async (xShape, sShape, affine) => {
    const f = () => {
      const stat = (seed: number) => rand(sShape, seed);
      const variance = stat(21).abs().add(0.5);
      return tf.batchNorm(
        rand(xShape, 20).mul(4),
        stat(22),
        variance,
        affine ? stat(23) : undefined,
        affine ? stat(24) : undefined,
        1e-3,
      );
    };
    const on = tf.tidy(() => f().dataSync() as Float32Array);
    const { off } = moduleAndOld(f);
    const cpu = await onCpu(() => tf.tidy(() => f().dataSync() as Float32Array));
    expect(relError(on, cpu)).toBeLessThan(1e-5);
    expect(relError(off, cpu)).toBeLessThan(1e-5);
  });

  it.each([
    [[3, 7, 7, 40], 64, 2, 4, [3, 14, 14, 64]],
    [[2, 5, 6, 8], 5, 3, 3, [2, 15, 17, 5]],
    [[2, 4, 4, 8], 1, 2, 4, [2, 8, 8, 1]],
  ] as const)(
    "transposed conv's phases interleaved by the module have the bits of the old copies: dy %j, Cb %i, stride %i, kernel %i",
    (dyShape, cb, stride, k, outShape) => {
      const prev = setConvInputStrategyForTests('phases');
      try {
        const f = () =>
          tf.conv2dTranspose(
            rand([...dyShape], 30) as tf.Tensor4D,
            rand([k, k, cb, dyShape[3]], 31) as tf.Tensor4D,
            [...outShape] as [number, number, number, number],
            stride,
            'same',
          );
        const on = tf.tidy(() => f().dataSync() as Float32Array);
        setWasmElementwiseEnabled(false);
        const old = tf.tidy(() => f().dataSync() as Float32Array);
        setWasmElementwiseEnabled(true);
        expect(on.length).toBe(outShape.reduce((a: number, b: number) => a * b, 1));
        expect(sameBits(on, old)).toBe(true);
      } finally {
        setConvInputStrategyForTests(prev);
      }
    },
  );

  it('Identity shares the data and survives its source being freed', () => {
    const x = rand([3, 5], 12);
    const want = (x.dataSync() as Float32Array).slice();
    const y = x.clone();
    x.dispose();
    expect(sameBits(y.dataSync() as Float32Array, want)).toBe(true);
    y.dispose();
    // A cast to the same dtype shares too; to another dtype it converts.
    tf.tidy(() => {
      const z = rand([4], 13);
      const same = z.cast('float32');
      const ints = z.mul(10).cast('int32');
      expect(sameBits(same.dataSync() as Float32Array, z.dataSync() as Float32Array)).toBe(true);
      expect(Array.from(ints.dataSync())).toEqual(Array.from(z.dataSync()).map((v) => Math.trunc(Math.fround(v * 10))));
    });
  });

  it('the fused Adam update has the bits of the op chain', () => {
    expect(wasmAdamAvailable()).toBe(true);
    const shapes = [[1], [7], [4, 4, 16, 24], [100, 1001]];
    const on = adamRun(shapes);
    setWasmGemmEnabled(false);
    expect(wasmAdamAvailable()).toBe(false);
    const off = adamRun(shapes);
    setWasmGemmEnabled(true);
    expect(on).toHaveLength(off.length);
    on.forEach((a, i) => expect(sameBits(a, off[i]), `tensor ${i}`).toBe(true));
  });

  it('leaks no tensors and no wasm buffers', () => {
    bigWorkload();
    expectNoLeak(() => {
      for (let i = 0; i < 2; i++) bigWorkload();
      tf.tidy(() => {
        rand([4, 4], 13).clone();
      });
    });
  });

  it('gives the same bits on 2 threads (split across the pool) as on 1', async () => {
    const single = bigWorkload();
    await activateBackend('wasm', { threads: 2 });
    const threaded = bigWorkload();
    expectNoLeak(() => bigWorkload());
    await activateBackend('wasm', { threads: 1 });
    expect(threaded).toHaveLength(single.length);
    threaded.forEach((a, i) => expect(sameBits(a, single[i]), `output ${i}`).toBe(true));
  });

  // Add / Sub / Multiply / RealDiv / Square (./wasm-binary.ts): one f32 operation per output, as XNNPACK's.
  const BINARY: [string, number[], number[]][] = [
    ['same shape', [5, 13, 13, 16], [5, 13, 13, 16]],
    ['odd same shape', [7], [7]],
    ['scalar b', [64, 1031], []],
    ['scalar a', [], [3, 5]],
    ['channel vector b', [5, 13, 13, 16], [16]],
    ['channel vector a (leading 1s)', [1, 1, 1, 16], [5, 13, 13, 16]],
    ['row a', [1, 1031], [64, 1031]],
    ['odd row b', [6, 7], [7]],
    ['other broadcast (stock)', [64, 1], [64, 5]],
    ['both broadcast (stock)', [4, 1], [1, 5]],
  ];
  it.each(BINARY)("Add/Sub/Multiply (%s) have the stock kernels' bits and match cpu", async (_, sa, sb) => {
    const f = () => {
      const a = rand(sa, 21);
      const b = rand(sb, 22);
      return tf.stack([a.add(b), a.sub(b), a.mul(b), b.sub(a), a.div(b), b.div(a)].map((t) => t.reshape([-1])));
    };
    await expectStockBitsAndCpu(f);
  });

  it.each(SIZES)("Square has the stock kernel's bits and matches cpu: %j", async (...shape) => {
    const f = () => rand(shape, 23).square();
    await expectStockBitsAndCpu(f);
  });

  it('Add/Sub/Multiply leave int32 to the stock kernels and keep their gradients', () => {
    const i = tf.tidy(() =>
      Array.from(
        tf
          .tensor1d([1, 2, 3], 'int32')
          .mul(tf.tensor1d([4, 5, 6], 'int32'))
          .dataSync(),
      ),
    );
    expect(i).toEqual([4, 10, 18]);
    const g = tf.tidy(() => {
      const b = rand([16], 24);
      return Array.from(
        tf
          .grad((a) => a.mul(b).sub(b).square().sum())(rand([3, 16], 25))
          .dataSync(),
      );
    });
    expect(g.every(Number.isFinite)).toBe(true);
    expectNoLeak(() => {
      for (const [, sa, sb] of BINARY) {
        tf.tidy(() => {
          rand(sa, 1).mul(rand(sb, 2)).sub(rand(sb, 3)).square();
        });
      }
    });
  });
});
