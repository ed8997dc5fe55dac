/**
 * GAN Studio's wasm Conv2DBackpropInput (sub-pixel decomposition into forward
 * XNNPACK convolutions) against the JS cpu backend.
 *
 * Error measure everywhere: max|wasm − cpu| / max(1, max|cpu|), required < 1e-4.
 *
 * Mirrors wasm-kernels.test.ts (the weight gradient) on purpose, case for case: what they share is in
 * ./helpers.ts; what stays here is this kernel, its attributes and its strategies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../../src/engine/backend';
import {
  conv2DBackpropInputWasm,
  registerWasmKernels,
  setConvInputStrategyForTests,
  setStockWasmKernels,
  type ConvInputStrategy,
} from '../../../src/engine/backend/wasm-kernels';
import {
  type ConvCase,
  convCaseLabel,
  convGrid,
  convShapes,
  expectNoLeak,
  oddConvCases,
  onBackend,
  onWasmAndCpu,
  randomData,
  randomTensor,
  relError,
  wasmVsCpu,
} from './helpers';

/** dx on the active backend through the registered kernel (the path conv2dTranspose and tf.grad take). */
function backpropInput(c: ConvCase, seed: number): Float32Array {
  return tf.tidy(() => {
    const { format, filterShape, dyShape } = convShapes(c);
    const dy = randomTensor(dyShape, seed);
    const filter = randomTensor(filterShape, seed + 1);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: format, inputShape: c.x };
    const dx = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(dx.shape).toEqual(c.x);
    return dx.dataSync() as Float32Array;
  });
}

const compare = (c: ConvCase, seed = 1): Promise<number> => wasmVsCpu(() => backpropInput(c, seed));

/** Explicit pads larger than the kernel: dy is cropped before the phases. */
const PADS_BEYOND_KERNEL: ConvCase = {
  x: [2, 6, 6, 2],
  k: [3, 3],
  cout: 3,
  strides: 2,
  pad: [
    [0, 0],
    [4, 0],
    [0, 5],
    [0, 0],
  ],
};

beforeAll(async () => {
  await activateBackend('wasm');
});

describe('Conv2DBackpropInput on wasm', () => {
  it('is registered for wasm only; cpu keeps its own kernel', () => {
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInputWasm);
    expect(tf.getKernel('Conv2DBackpropInput', 'cpu')?.kernelFunc).not.toBe(conv2DBackpropInputWasm);
    expect(registerWasmKernels()).toEqual([]); // idempotent
  });

  const grid = convGrid();
  it.each(grid.map((c) => [convCaseLabel(c), c] as const))('matches cpu: %s', async (_name, c) => {
    expect(await compare(c)).toBeLessThan(1e-4);
  });

  // Both strided paths on every case: s² separate convolutions, and one convolution with s²·Cb channels.
  for (const forced of ['phases', 'combined'] as ConvInputStrategy[]) {
    it(`matches cpu with the '${forced}' path forced on the whole grid`, async () => {
      const prev = setConvInputStrategyForTests(forced);
      try {
        for (const c of grid)
          expect(await compare({ ...c, x: [c.x[0], c.x[1], c.x[2], 5] }), convCaseLabel(c)).toBeLessThan(1e-4);
        for (const c of odd) expect(await compare(c), convCaseLabel(c)).toBeLessThan(1e-4);
      } finally {
        setConvInputStrategyForTests(prev);
      }
    });
  }

  const odd: ConvCase[] = [
    ...oddConvCases,
    { x: [2, 10, 10, 3], k: [2, 2], cout: 4, strides: 3, pad: 'valid' }, // kernel < stride: zero phases
    { x: [2, 10, 11, 3], k: [1, 2], cout: 4, strides: [2, 3], pad: 'same' }, // kernel < stride, same
    PADS_BEYOND_KERNEL,
    { x: [4, 4, 4, 16], k: [4, 4], cout: 8, strides: 1, pad: 'valid' }, // DCGAN 1×1 → 4×4 first layer
    { x: [3, 14, 14, 32], k: [4, 4], cout: 24, strides: 2, pad: 'same' }, // wide channels: set() copies
  ];
  it.each(odd.map((c) => [convCaseLabel(c), c] as const))('matches cpu: %s', async (_name, c) => {
    expect(await compare(c)).toBeLessThan(1e-4);
  });

  it('matches cpu at batch 64 on a dcgan-28 layer (7×7×128 → 14×14×64)', async () => {
    expect(await compare({ x: [64, 14, 14, 64], k: [4, 4], cout: 128, strides: 2, pad: 'same' })).toBeLessThan(1e-4);
  }, 120_000);

  it('matches the stock wasm kernel', async () => {
    const c: ConvCase = { x: [3, 11, 9, 5], k: [4, 3], cout: 6, strides: [2, 3], pad: 'same' };
    const ours = await onBackend('wasm', () => backpropInput(c, 4));
    setStockWasmKernels(true);
    try {
      expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(conv2DBackpropInputWasm);
      const stock = await onBackend('wasm', () => backpropInput(c, 4));
      expect(relError(ours, stock)).toBeLessThan(1e-4);
    } finally {
      setStockWasmKernels(false);
    }
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2DBackpropInputWasm);
  });

  it('rejects a dy that does not match the convolution', async () => {
    await onBackend('wasm', () => {
      const dy = tf.zeros([1, 4, 4, 3]);
      const filter = tf.zeros([3, 3, 2, 3]);
      expect(() =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, {
          strides: 2,
          pad: 'same',
          dataFormat: 'NHWC',
          inputShape: [1, 6, 6, 2],
        } as unknown as tf.NamedAttrMap),
      ).toThrow(/dy shape/);
      tf.dispose([dy, filter]);
    });
  });

  it('does not leak: engine tensors and wasm buffers stay flat over repeated calls', async () => {
    await onBackend('wasm', () => {
      const c: ConvCase = { x: [4, 9, 9, 3], k: [4, 4], cout: 5, strides: 2, pad: 'same' };
      backpropInput(c, 3); // warm-up
      expectNoLeak(() => {
        for (let i = 0; i < 20; i++) backpropInput({ ...c, strides: (i % 3) + 1, pad: i % 2 ? 'same' : 'valid' }, i);
        backpropInput(PADS_BEYOND_KERNEL, 1);
        backpropInput({ x: [2, 3, 9, 7], k: [3, 3], cout: 4, strides: 2, pad: 'same', format: 'NCHW' }, 1);
        backpropInput({ x: [2, 10, 10, 3], k: [2, 2], cout: 4, strides: 3, pad: 'valid' }, 1);
      });
      // Through conv2dTranspose and its gradients (dy of the transpose = a forward conv, dW = Conv2DBackpropFilter).
      expectNoLeak(() => {
        const z = tf.tensor(randomData(4 * 5 * 5 * 6, 5), [4, 5, 5, 6]) as tf.Tensor4D;
        const f = tf.tensor(randomData(4 * 4 * 3 * 6, 6), [4, 4, 3, 6]) as tf.Tensor4D;
        expectNoLeak(() => {
          for (let i = 0; i < 10; i++) {
            const [gz, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.square(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [4, 10, 10, 3], 2, 'same'))),
            )([z, f]);
            tf.dispose([gz, gf]);
          }
        });
        tf.dispose([z, f]);
      });
    });
  });

  it('gives conv2d input gradients and conv2dTranspose outputs equal to cpu inside tf.grad', async () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor(randomData(3 * 10 * 10 * 2, 11), [3, 10, 10, 2]) as tf.Tensor4D;
        const f1 = tf.tensor(randomData(3 * 3 * 2 * 4, 12), [3, 3, 2, 4]) as tf.Tensor4D;
        const f2 = tf.tensor(randomData(4 * 4 * 3 * 4, 13), [4, 4, 3, 4]) as tf.Tensor4D;
        const loss = (a: tf.Tensor4D): tf.Scalar =>
          tf.mean(
            tf.square(
              tf.conv2dTranspose(tf.leakyRelu(tf.conv2d(a, f1, 2, 'same'), 0.2), f2, [3, 10, 10, 3], 2, 'same'),
            ),
          );
        const gx = tf.grad((a: tf.Tensor) => loss(a as tf.Tensor4D))(x);
        const y = tf.conv2dTranspose(
          x.slice([0, 0, 0, 0], [3, 5, 5, 2]),
          f1.transpose([0, 1, 3, 2]) as tf.Tensor4D,
          [3, 5, 5, 4],
          1,
          'same',
        );
        return [gx.dataSync() as Float32Array, y.dataSync() as Float32Array];
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-4);
    expect(relError(wasm[1], cpu[1])).toBeLessThan(1e-4);
  });
});
