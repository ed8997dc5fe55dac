/**
 * LeakyRelu's gradient while wasm is active (src/engine/backend/wasm-gradients.ts):
 * dy · Step(x, α) on wasm (one fused kernel where GAN Studio's wasm module runs), tfjs's
 * Select(Greater(x, 0), dy, dy · α) everywhere else.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../../src/engine/backend';
import { setWasmElementwiseEnabled } from '../../../src/engine/backend/wasm-gemm';
import { setWasmLeakyReluGradient } from '../../../src/engine/backend/wasm-gradients';
import { expectNoLeak, onBackend, randomData, relError, wasmVsCpu } from './helpers';

const SHAPE = [3, 7, 5, 4];
const N = SHAPE.reduce((p, q) => p * q, 1);

/** x with exact zeros and negative zeros mixed in (the x > 0 boundary). */
function xData(): Float32Array {
  return randomData(N, 1).map((v, i) => (i % 13 === 0 ? 0 : i % 17 === 0 ? -0 : v));
}

function firstOrder(alpha: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(xData(), SHAPE);
    const w = tf.tensor(randomData(N, 2), SHAPE);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(xx, alpha), w)))(x);
    return Float32Array.from(g.dataSync() as Float32Array);
  });
}

/** A gradient of a gradient through LeakyReLU (what WGAN-GP and R1 do). */
function secondOrder(): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(xData(), SHAPE);
    const w = tf.tensor(randomData(N, 3), SHAPE);
    const inner = (ww: tf.Tensor) =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(tf.mul(xx, ww), 0.2), ww)))(x);
    const g = tf.grad((ww: tf.Tensor) => tf.sum(tf.square(inner(ww))))(w);
    return Float32Array.from(g.dataSync() as Float32Array);
  });
}

beforeAll(async () => {
  await activateBackend('wasm');
});

describe('LeakyRelu gradient on wasm', () => {
  it.each([0.2, 0.01, 0, 1])('alpha %s: bit-identical to tfjs formula on wasm, equal to cpu', async (alpha) => {
    const ours = await onBackend('wasm', () => firstOrder(alpha));
    setWasmLeakyReluGradient(false);
    let theirs: Float32Array;
    try {
      theirs = await onBackend('wasm', () => firstOrder(alpha));
    } finally {
      setWasmLeakyReluGradient(true);
    }
    expect(Buffer.from(ours.buffer).equals(Buffer.from(theirs.buffer))).toBe(true);
    const cpu = await onBackend('cpu', () => firstOrder(alpha));
    expect(relError(ours, cpu)).toBeLessThan(1e-6);
  });

  it('second-order gradients match cpu', async () => {
    expect(await wasmVsCpu(secondOrder)).toBeLessThan(1e-4);
  });

  it('uses the fused kernel on wasm (Step + Multiply with the module off) and Greater + Select elsewhere', async () => {
    const kernels = async (backend: 'wasm' | 'cpu') =>
      onBackend(backend, async () => (await tf.profile(() => firstOrder(0.2))).kernelNames);
    const fused = await kernels('wasm');
    expect(fused).toContain('GanStudioLeakyReluGrad');
    expect(fused).not.toContain('Select');
    setWasmElementwiseEnabled(false);
    const wasm = await kernels('wasm');
    setWasmElementwiseEnabled(true);
    expect(wasm).toContain('Step');
    expect(wasm).not.toContain('Select');
    const cpu = await kernels('cpu');
    expect(cpu).toContain('Select');
    expect(cpu).not.toContain('Step');
  });

  it('does not leak', async () => {
    await onBackend('wasm', () => {
      firstOrder(0.2);
      secondOrder();
      expectNoLeak(() => {
        for (let i = 0; i < 5; i++) {
          firstOrder(0.2);
          secondOrder();
        }
      });
    });
  });
});
