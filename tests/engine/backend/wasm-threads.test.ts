/**
 * The multi-threaded wasm backend (src/engine/backend/wasm-threads.ts): it really runs
 * XNNPACK with the asked-for pool, GAN Studio's kernels on it match the cpu backend
 * (< 1e-4) and the single-threaded build bit for bit, nothing leaks, and the thread
 * count can only be switched while the backend holds no tensors.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { physicalCores, activateBackend, wasmThreadsInUse } from '../../../src/engine/backend';
import { prepareWasm, wasmFeatures } from '../../../src/engine/backend/wasm';
import { expectNoLeak, randomData, relError } from './helpers';

/** The ops whose kernels GAN Studio replaces or adds on wasm, plus XNNPACK's conv and matMul, each through tf.grad where it has one. */
function workload(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(randomData(5 * 13 * 13 * 16, 1), [5, 13, 13, 16]);
    const w = tf.tensor4d(randomData(4 * 4 * 16 * 24, 2), [4, 4, 16, 24]);
    const convOut = (xx: tf.Tensor4D, ww: tf.Tensor4D) => tf.leakyRelu(tf.conv2d(xx, ww, 2, 'same'), 0.2).sum();
    const [dx, dw] = tf.grads((a, b) => convOut(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
    const t = tf.conv2dTranspose(
      tf.tensor4d(randomData(5 * 7 * 7 * 24, 3), [5, 7, 7, 24]),
      w,
      [5, 14, 14, 16],
      2,
      'same',
    );
    const a = tf.tensor2d(randomData(70 * 90, 4), [70, 90]);
    const b = tf.tensor2d(randomData(50 * 90, 5), [50, 90]);
    const m = tf.matMul(a, b, false, true);
    const tile = tf.tile(tf.tensor3d(randomData(2 * 3 * 4, 6), [2, 3, 4]), [3, 1, 2]);
    const moments = tf.moments(x, [0, 1, 2]);
    return [dx, dw, t, m, tile, moments.mean, moments.variance, x.mean(0)].map((r) => r.dataSync() as Float32Array);
  });
}

afterAll(async () => {
  tf.disposeVariables();
  await activateBackend('wasm', { threads: 1 });
});

describe('wasm with several threads', () => {
  it('starts XNNPACK with the pool asked for, whatever the CPU count says', async () => {
    const active = await activateBackend('wasm', { threads: 3 });
    expect(active.tfBackend).toBe('wasm');
    expect(wasmThreadsInUse()).toBe(3);
    expect(await wasmFeatures()).toBe('SIMD, 3 threads');
    expect(active.why).toContain('3 threads');
  });

  it('runs every GAN Studio kernel like cpu (< 1e-4) and bit for bit like one thread', async () => {
    await activateBackend('wasm', { threads: 2 });
    expect(wasmThreadsInUse()).toBe(2);
    const threaded = workload();
    await activateBackend('wasm', { threads: 1 });
    expect(wasmThreadsInUse()).toBe(1);
    const single = workload();
    await activateBackend('cpu');
    const cpu = workload();
    expect(threaded).toHaveLength(cpu.length);
    for (let i = 0; i < cpu.length; i++) {
      expect(relError(threaded[i], cpu[i]), `output ${i} vs cpu`).toBeLessThan(1e-4);
      expect(Buffer.from(threaded[i].buffer).equals(Buffer.from(single[i].buffer)), `output ${i} vs 1 thread`).toBe(
        true,
      );
    }
  });

  it('leaks no tensors and no wasm buffers over repeated steps', async () => {
    await activateBackend('wasm', { threads: 2 });
    workload();
    expectNoLeak(() => {
      for (let i = 0; i < 3; i++) workload();
    });
  });

  it('switches the thread count only while the backend holds no tensors', async () => {
    await activateBackend('wasm', { threads: 2 });
    const held = tf.scalar(1);
    try {
      expect(prepareWasm(1)).toBe(
        'the wasm backend already runs with 2 threads in this process and holds tensors (asked for 1)',
      );
      await expect(activateBackend('wasm', { threads: 1 })).rejects.toThrow(/holds tensors/);
      expect(wasmThreadsInUse()).toBe(2);
      expect(held.dataSync()[0]).toBe(1);
    } finally {
      held.dispose();
    }
    expect(prepareWasm(0)).toBe('threads must be a whole number ≥ 1 (got 0)');
  });

  it('defaults to the physical cores: at least 1, at most the logical CPUs', () => {
    const cores = physicalCores();
    expect(Number.isInteger(cores)).toBe(true);
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(os.availableParallelism());
  });
});
