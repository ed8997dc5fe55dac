/**
 * Each kernel GAN training uses, on webgpu (SwiftShader) against the JS cpu
 * backend on small random shapes: the forward value, the gradient of every input,
 * and for the ops a discriminator is built from a gradient of a gradient, which
 * the penalties (R1, R2, WGAN-GP) take.
 *
 * Error measure: max|webgpu − cpu| / max(1, max|cpu|), required < 1e-4 (float32
 * with a different summation order on the GPU).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { randomData, relError } from '../backend/helpers';
import { skipWebGpu } from './swiftshader';

interface Case {
  name: string;
  shapes: number[][];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Take d/d(last input) of ‖∂L/∂(first input)‖² too (the ops a discriminator is made of). */
  secondOrder?: boolean;
}

const conv = (s: number, pad: 'same' | 'valid') => (x: tf.Tensor, w: tf.Tensor) =>
  tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, pad);
const lrelu = (x: tf.Tensor) => tf.leakyRelu(x, 0.2);

const CASES: Case[] = [
  {
    name: 'conv2d k4 s2 same',
    shapes: [
      [2, 8, 8, 3],
      [4, 4, 3, 5],
    ],
    f: conv(2, 'same'),
    secondOrder: true,
  },
  {
    name: 'conv2d k3 s1 valid',
    shapes: [
      [2, 6, 6, 2],
      [3, 3, 2, 3],
    ],
    f: conv(1, 'valid'),
    secondOrder: true,
  },
  {
    name: 'conv2dTranspose k4 s2',
    shapes: [
      [2, 4, 4, 3],
      [4, 4, 2, 3],
    ],
    f: (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 2], 2, 'same'),
  },
  {
    name: 'matMul + bias + leakyRelu (dense)',
    shapes: [[3, 6], [4], [6, 4]],
    f: (x, b, w) => lrelu(tf.add(tf.matMul(x, w), b)),
    secondOrder: true,
  },
  {
    name: 'matMul transposed (SN power iteration)',
    shapes: [
      [5, 4],
      [5, 3],
    ],
    f: (a, b) => tf.matMul(a, b, true, false),
    secondOrder: true,
  },
  {
    name: 'batch norm (training moments)',
    shapes: [[4, 3, 3, 2], [2]],
    f: (x, g) => {
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      return tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g);
    },
  },
  {
    name: 'instance / layer norm moments + leakyRelu',
    shapes: [[2, 3, 3, 2], [2]],
    f: (x, g) => {
      const { mean, variance } = tf.moments(x, [1, 2], true);
      return lrelu(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g));
    },
    secondOrder: true,
  },
  {
    name: 'relu, tanh, sigmoid',
    shapes: [[3, 5], [5]],
    f: (x, b) => tf.add(tf.add(tf.relu(tf.add(x, b)), tf.tanh(x)), tf.sigmoid(tf.mul(x, b))),
    secondOrder: true,
  },
  {
    name: 'softplus / sigmoid cross-entropy',
    shapes: [[6, 1], [1]],
    f: (x, b) => tf.losses.sigmoidCrossEntropy(tf.onesLike(x), tf.mul(x, b)) as tf.Tensor,
    secondOrder: true,
  },
  // As GanAvgPool2 does it: reshape + mean, differentiable twice (AvgPoolGrad has no gradient in tfjs).
  {
    name: 'avg pool 2×2 by reshape + mean (avgpool downsampling)',
    shapes: [[2, 4, 4, 3], [3]],
    f: (x, s) => tf.mean(tf.reshape(tf.mul(x, s), [2, 2, 2, 2, 2, 3]), [2, 4]),
    secondOrder: true,
  },
  // Batch 1: tfjs' cpu ResizeNearestNeighborGrad is wrong beyond the first image (wasm and webgpu agree with a block sum).
  {
    name: 'resize nearest (nearest upsampling)',
    shapes: [[1, 3, 3, 2], [2]],
    f: (x, s) => tf.image.resizeNearestNeighbor(tf.mul(x, s) as tf.Tensor4D, [6, 6]),
  },
  {
    name: 'resize bilinear (bilinear upsampling, DiffAugment)',
    shapes: [[2, 3, 3, 2], [2]],
    f: (x, s) => tf.image.resizeBilinear(tf.mul(x, s) as tf.Tensor4D, [6, 6]),
  },
  // As GanDepthToSpace does it (tfjs has no DepthToSpace gradient): reshape + transpose.
  {
    name: 'pixel shuffle by reshape + transpose',
    shapes: [[2, 2, 2, 8], [8]],
    f: (x, s) =>
      tf.reshape(tf.transpose(tf.reshape(tf.mul(x, s), [2, 2, 2, 2, 2, 2]), [0, 1, 3, 2, 4, 5]), [2, 4, 4, 2]),
  },
  {
    name: 'pad + slice + concat (translation, cutout, label channels)',
    shapes: [[2, 4, 4, 1], [1]],
    f: (x, s) =>
      tf.concat(
        [
          tf.slice(
            tf.pad(tf.mul(x, s), [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ]),
            [0, 2, 0, 0],
            [2, 4, 4, 1],
          ),
          x,
        ],
        3,
      ),
    secondOrder: true,
  },
  {
    name: 'minibatch stddev, mean, sqrt',
    shapes: [[4, 2, 2, 3], [3]],
    f: (x, s) => {
      const y = tf.mul(x, s);
      const sd = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(y, tf.mean(y, 0, true))), 0), 1e-8));
      return tf.add(y, tf.mean(sd));
    },
    secondOrder: true,
  },
  {
    name: 'gather + sum (projection discriminator embedding)',
    shapes: [
      [4, 5],
      [3, 5],
    ],
    f: (h, e) => tf.sum(tf.mul(h, tf.gather(e, tf.tensor1d([0, 2, 1, 2], 'int32'))), 1),
    secondOrder: true,
  },
  {
    name: 'addN of 14 (gradient sums)',
    shapes: [[3, 4], [4]],
    f: (x, b) => tf.addN(Array.from({ length: 14 }, (_, i) => tf.mul(tf.square(tf.add(x, b)), i + 1))),
    secondOrder: true,
  },
];

interface Out {
  value: Float32Array;
  grads: Float32Array[];
  second: Float32Array | null;
}

async function evaluate(c: Case): Promise<Out> {
  const xs = c.shapes.map((s, i) =>
    tf.tensor(
      randomData(
        s.reduce((a, b) => a * b, 1),
        100 + i,
      ),
      s,
    ),
  );
  const y0 = tf.tidy(() => c.f(...xs));
  const r = tf.tensor(randomData(y0.size, 7), y0.shape);
  const loss = (...ts: tf.Tensor[]) => tf.sum(tf.mul(c.f(...ts), r));
  const grads = tf.grads(loss)(xs);
  let second: tf.Tensor | null = null;
  if (c.secondOrder) {
    const last = xs.length - 1;
    second = tf.grad((w: tf.Tensor) => {
      const gx = tf.grad((x: tf.Tensor) => loss(...xs.map((t, i) => (i === 0 ? x : i === last ? w : t))))(xs[0]);
      return tf.sum(tf.square(gx));
    })(xs[last]);
  }
  const out: Out = {
    value: (await y0.data()) as Float32Array,
    grads: (await Promise.all(grads.map((g) => g.data()))) as Float32Array[],
    second: second ? ((await second.data()) as Float32Array) : null,
  };
  tf.dispose([...xs, y0, r, ...grads, ...(second ? [second] : [])]);
  return out;
}

describe.skipIf(skipWebGpu())('training kernels on webgpu match cpu', () => {
  it('forward, gradients and second-order gradients, without leaking tensors', async () => {
    await activateBackend('cpu');
    const ref: Out[] = [];
    for (const c of CASES) ref.push(await evaluate(c));
    await activateBackend('webgpu');
    const before = tf.memory().numTensors;
    for (const [i, c] of CASES.entries()) {
      const got = await evaluate(c);
      expect(relError(got.value, ref[i].value), `${c.name}: forward`).toBeLessThan(1e-4);
      got.grads.forEach((g, k) => expect(relError(g, ref[i].grads[k]), `${c.name}: gradient ${k}`).toBeLessThan(1e-4));
      if (c.secondOrder) {
        expect(relError(got.second!, ref[i].second!), `${c.name}: second order`).toBeLessThan(1e-4);
        expect(
          Math.max(...Array.from(ref[i].second!, Math.abs)),
          `${c.name}: second order is not trivially zero`,
        ).toBeGreaterThan(1e-6);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    await activateBackend('cpu');
  });
});
