/**
 * GPU timestamps for profiling (bench/profile-step.ts --backend webgpu): once
 * requestGpuTimestamps is called before the backend starts, the device has
 * 'timestamp-query', tf.profile reports each kernel's GPU time and names the
 * WebGPU programs it dispatched, and a fused optimizer update is a kernel it
 * sees. (That normal training gets no timestamps, and that a request after Dawn
 * loaded without them is refused, is checked in select.test.ts.) Its own file: Dawn loads once per
 * process, and vitest gives each file a fresh one.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { webgpuDevice, webgpuTimestamps } from '../../../src/engine/backend/webgpu';
import { requestGpuTimestamps } from '../../../src/engine/backend/webgpu-adapter';
import { adamMoment } from '../../../src/engine/backend/webgpu-fused';
import { programsOf } from '../../../bench/kernel-profile';
import { skipWebGpu } from './swiftshader';

describe.skipIf(skipWebGpu())('GPU timestamps when profiling', () => {
  it('tf.profile gives GPU ms per kernel and the programs it dispatched', async () => {
    requestGpuTimestamps();
    const active = await activateBackend('webgpu');
    expect(active.name).toBe('webgpu');
    expect(webgpuDevice()!.features.has('timestamp-query')).toBe(true);
    expect(webgpuTimestamps()).toBe(true);

    const a = tf.randomNormal([64, 256]);
    const b = tf.randomNormal([256, 128]);
    const m = tf.zeros([64, 128]);
    await tf.matMul(a, b).data(); // compile first
    const outputs: tf.Tensor[] = [];
    const profile = await tf.profile(async () => {
      const c = tf.matMul(a, b);
      const next = adamMoment(m, c, 0.9, 0.1, true);
      await next.data();
      outputs.push(c, next);
    });
    const matMul = profile.kernels.find((k) => k.name === 'BatchMatMul')!;
    expect(matMul.kernelTimeMs as number).toBeGreaterThan(0);
    const programs = programsOf(matMul.extraInfo);
    expect(programs.length).toBeGreaterThan(0);
    expect(programs[0][0]).toMatch(/Program$/);
    expect(programs[0][1]).toBeGreaterThan(0);
    const fused = profile.kernels.find((k) => k.name === 'GanSquaredMoment')!;
    expect(programsOf(fused.extraInfo).map(([name]) => name)).toEqual(['FusedUpdateProgram']);
    tf.dispose([a, b, m, ...outputs]);
    await activateBackend('cpu');

    // Dawn is loaded now, with timestamps: asking again is harmless.
    expect(() => requestGpuTimestamps()).not.toThrow();
  });
});
