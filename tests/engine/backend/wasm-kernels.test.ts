/**
 * GAN Studio's extra wasm kernels against the JS cpu backend.
 *
 * Error measure everywhere: max|wasm − cpu| / max(1, max|cpu|), required < 1e-4.
 *
 * Mirrors wasm-conv-input.test.ts (the input gradient) on purpose, case for case: what they share is in
 * ./helpers.ts; what stays here is this kernel, its attributes and its strategies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../../src/engine/backend';
import {
  conv2DBackpropFilterWasm,
  registerWasmKernels,
  setConvFilterPadOnModule,
  setConvFilterStrategyForTests,
  setIm2colBudgetForTests,
  type ConvFilterStrategy,
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
  sameBits,
  wasmVsCpu,
} from './helpers';

/** dW on the active backend through the registered kernel (the path tf.grad takes). */
function backpropFilter(c: ConvCase, seed: number): Float32Array {
  return tf.tidy(() => {
    const { format, filterShape, dyShape } = convShapes(c);
    const x = randomTensor(c.x, seed);
    const dy = randomTensor(dyShape, seed + 1);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: format, filterShape };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(dw.shape).toEqual(filterShape);
    return dw.dataSync() as Float32Array;
  });
}

const compare = (c: ConvCase, seed = 1): Promise<number> => wasmVsCpu(() => backpropFilter(c, seed));

beforeAll(async () => {
  await activateBackend('wasm'); // sets the wasm paths and registers the kernels
});

describe('Conv2DBackpropFilter on wasm', () => {
  it('is registered for wasm only; cpu keeps its own kernel', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2DBackpropFilterWasm);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).not.toBe(conv2DBackpropFilterWasm);
    expect(registerWasmKernels()).toEqual([]); // idempotent
  });

  const grid = convGrid();
  // Every case through each strategy: 'auto' (the default), one forward conv, im2col.
  const strategies: ConvFilterStrategy[] = ['auto', 'conv', 'im2col'];
  const withStrategy = async <T>(s: ConvFilterStrategy, f: () => Promise<T>): Promise<T> => {
    const prev = setConvFilterStrategyForTests(s);
    try {
      return await f();
    } finally {
      setConvFilterStrategyForTests(prev);
    }
  };
  const each = (cases: ConvCase[]) =>
    strategies.flatMap((s) => cases.map((c) => [`${s}: ${convCaseLabel(c)}`, s, c] as const));

  it.each(each(grid))('matches cpu: %s', async (_name, s, c) => {
    expect(await withStrategy(s, () => compare(c))).toBeLessThan(1e-4);
  });

  const odd: ConvCase[] = [
    ...oddConvCases,
    { x: [4, 4, 4, 16], k: [4, 4], cout: 8, strides: 1, pad: 'valid' }, // DCGAN 4×4 → 1×1 end layer (one-window matMul path)
    { x: [64, 4, 4, 32], k: [4, 4], cout: 10, strides: 1, pad: 'valid' }, // the same at batch 64
    { x: [1, 5, 4, 3], k: [5, 4], cout: 2, strides: 2, pad: 'valid' }, // one window, batch 1, odd sizes
    { x: [64, 14, 14, 16], k: [4, 4], cout: 8, strides: 2, pad: 'same' }, // a DCGAN layer at batch 64
    { x: [20, 32, 32, 3], k: [4, 4], cout: 64, strides: 2, pad: 'same' }, // image layer: im2col in 2 image chunks (small K)
    { x: [23, 28, 28, 1], k: [4, 4], cout: 64, strides: 2, pad: 'same' }, // dcgan-28's image layer, odd batch
    { x: [5, 8, 8, 128], k: [4, 4], cout: 16, strides: 2, pad: 'same' }, // kh·kw·C ≥ 2048: 'auto' takes the conv path
    { x: [3, 7, 7, 64], k: [4, 4], cout: 12, strides: 2, pad: 'same' }, // kh·kw·C = 1024, small dy: conv path
    { x: [2, 12, 11, 130], k: [5, 3], cout: 6, strides: [3, 2], pad: 'valid' }, // conv path with a cropped x
    {
      x: [2, 9, 10, 129],
      k: [3, 4],
      cout: 3,
      strides: [1, 3],
      pad: [
        [0, 0],
        [2, 0],
        [1, 2],
        [0, 0],
      ],
    }, // conv path, explicit pads
    { x: [2, 129, 7, 9], k: [4, 4], cout: 5, strides: 2, pad: 'same', format: 'NCHW' }, // conv path, NCHW
  ];
  it.each(each(odd))('matches cpu: %s', async (_name, s, c) => {
    expect(await withStrategy(s, () => compare(c))).toBeLessThan(1e-4);
  });

  it('matches cpu when the im2col matrix is built a few images at a time', async () => {
    const prev = setIm2colBudgetForTests(2000); // forces chunks of 1–2 images
    try {
      for (const c of [
        { x: [5, 9, 9, 3], k: [4, 4], cout: 4, strides: 2, pad: 'same' },
        { x: [4, 7, 7, 2], k: [3, 3], cout: 3, strides: 1, pad: 'valid' },
      ] as ConvCase[]) {
        expect(await compare(c), convCaseLabel(c)).toBeLessThan(1e-4);
      }
      await onBackend('wasm', () => {
        const c: ConvCase = { x: [5, 9, 9, 3], k: [4, 4], cout: 4, strides: 2, pad: 'same' };
        backpropFilter(c, 1);
        expectNoLeak(() => {
          for (let i = 0; i < 5; i++) backpropFilter(c, i);
        });
      });
    } finally {
      setIm2colBudgetForTests(prev);
    }
  });

  it('rejects dilations above 1 with a clear error', async () => {
    await onBackend('wasm', () => {
      const backend = tf.backend();
      const x = tf.zeros([1, 5, 5, 1]);
      const dy = tf.zeros([1, 5, 5, 1]);
      expect(() =>
        conv2DBackpropFilterWasm({
          inputs: { x, dy },
          backend,
          attrs: {
            strides: 1,
            pad: 'same',
            dataFormat: 'NHWC',
            filterShape: [3, 3, 1, 1],
            dilations: 2,
          } as unknown as tf.NamedAttrMap,
        }),
      ).toThrow(/dilations must be 1/);
      tf.dispose([x, dy]);
    });
  });

  it('rejects a dy that does not match the convolution', async () => {
    await onBackend('wasm', () => {
      const x = tf.zeros([1, 6, 6, 2]);
      const dy = tf.zeros([1, 4, 4, 3]);
      expect(() =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
          strides: 2,
          pad: 'same',
          dataFormat: 'NHWC',
          filterShape: [3, 3, 2, 3],
        } as unknown as tf.NamedAttrMap),
      ).toThrow(/dy shape/);
      tf.dispose([x, dy]);
    });
  });

  const leakCheck = () =>
    onBackend('wasm', () => {
      const c: ConvCase = { x: [4, 9, 9, 3], k: [4, 4], cout: 5, strides: 2, pad: 'same' };
      backpropFilter(c, 3); // warm-up
      expectNoLeak(() => {
        for (let i = 0; i < 20; i++) backpropFilter({ ...c, strides: (i % 3) + 1 }, i);
        // Through the gradient path too.
        const x = tf.tensor(randomData(4 * 9 * 9 * 3, 5), [4, 9, 9, 3]) as tf.Tensor4D;
        const f = tf.tensor(randomData(4 * 4 * 3 * 5, 6), [4, 4, 3, 5]) as tf.Tensor4D;
        expectNoLeak(() => {
          for (let i = 0; i < 10; i++) {
            const g = tf.grad((ff: tf.Tensor) => tf.sum(tf.conv2d(x, ff as tf.Tensor4D, 2, 'same')))(f);
            g.dispose();
          }
        });
        tf.dispose([x, f]);
      });
    });

  it.each(strategies)(
    'does not leak (%s): engine tensors and wasm buffers stay flat over repeated calls',
    async (s) => {
      const prev = setConvFilterStrategyForTests(s);
      try {
        await leakCheck();
      } finally {
        setConvFilterStrategyForTests(prev);
      }
    },
  );

  // im2col's crop/zero-pad of x and dy (session 9): the module's copies (split across the
  // pool) instead of the stock Slice + PadV2; copies, so the same bits as the stock path.
  const padCases: ConvCase[] = [
    { x: [23, 28, 28, 1], k: [4, 4], cout: 64, strides: 2, pad: 'same' }, // dcgan-28's image layer
    { x: [3, 14, 14, 16], k: [4, 4], cout: 8, strides: 2, pad: 'same' },
    { x: [2, 12, 11, 5], k: [5, 3], cout: 6, strides: [3, 2], pad: 'valid' }, // cropped x
    {
      x: [2, 9, 10, 3],
      k: [3, 4],
      cout: 3,
      strides: [1, 3],
      pad: [
        [0, 0],
        [2, 0],
        [1, 2],
        [0, 0],
      ],
    }, // explicit pads
    { x: [2, 3, 7, 9], k: [4, 4], cout: 5, strides: 2, pad: 'same', format: 'NCHW' },
  ];
  const padRun = (on: boolean): Float32Array[] => {
    const prevPad = setConvFilterPadOnModule(on);
    const prevS = setConvFilterStrategyForTests('im2col');
    try {
      return padCases.map((c, i) => backpropFilter(c, 40 + i));
    } finally {
      setConvFilterStrategyForTests(prevS);
      setConvFilterPadOnModule(prevPad);
    }
  };

  it('pads on the module with the stock Slice + PadV2 bits, on 1 and 2 threads, without leaks', async () => {
    await activateBackend('wasm', { threads: 1 });
    try {
      const stock = padRun(false);
      const single = padRun(true);
      single.forEach((a, i) => expect(sameBits(a, stock[i]), convCaseLabel(padCases[i])).toBe(true));
      expectNoLeak(() => padRun(true));
      await activateBackend('wasm', { threads: 2 });
      const threaded = padRun(true);
      expectNoLeak(() => padRun(true));
      threaded.forEach((a, i) => expect(sameBits(a, single[i]), `2 threads: ${convCaseLabel(padCases[i])}`).toBe(true));
      const cpu = await onBackend('cpu', () => padCases.map((c, i) => backpropFilter(c, 40 + i)));
      threaded.forEach((a, i) => expect(relError(a, cpu[i]), convCaseLabel(padCases[i])).toBeLessThan(1e-4));
    } finally {
      await activateBackend('wasm', { threads: 1 });
    }
  });

  it('gives conv2d filter gradients equal to cpu inside tf.grad', async () => {
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const x = tf.tensor(randomData(3 * 10 * 10 * 2, 11), [3, 10, 10, 2]) as tf.Tensor4D;
        const f1 = tf.tensor(randomData(3 * 3 * 2 * 4, 12), [3, 3, 2, 4]) as tf.Tensor4D;
        const f2 = tf.tensor(randomData(4 * 4 * 4 * 3, 13), [4, 4, 4, 3]) as tf.Tensor4D;
        const loss = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar =>
          tf.mean(tf.square(tf.conv2d(tf.leakyRelu(tf.conv2d(x, a, 1, 'same'), 0.2), b, 2, 'valid')));
        const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([f1, f2]);
        return [ga.dataSync() as Float32Array, gb.dataSync() as Float32Array];
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(relError(wasm[0], cpu[0])).toBeLessThan(1e-4);
    expect(relError(wasm[1], cpu[1])).toBeLessThan(1e-4);
  });
});
