/**
 * Choosing webgpu: on SwiftShader (a CPU emulation, the only adapter on our
 * machines) `auto` keeps wasm, an explicit `webgpu` runs, `info` data names the
 * adapter, and a destroyed device is reported as a fault and replaced on the next
 * activation.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  activateWebGpu,
  emulationReason,
  probeBackends,
  activateBackend,
  webgpuDevice,
  webgpuFault,
} from '../../../src/engine/backend';
import { requestGpuTimestamps, vulkanDriverFiles } from '../../../src/engine/backend/webgpu-adapter';
import { skipWebGpu, SWIFTSHADER_ICD } from './swiftshader';

describe('emulated adapters are told from real GPUs', () => {
  const real = {
    vendor: 'nvidia',
    architecture: 'hopper',
    device: '',
    description: 'NVIDIA H200',
    isFallbackAdapter: false,
  };
  it('by name or by the fallback flag', () => {
    expect(emulationReason(real)).toBeNull();
    expect(
      emulationReason({ ...real, vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900' }),
    ).toBeNull();
    expect(
      emulationReason({
        ...real,
        vendor: 'google',
        architecture: 'swiftshader',
        description: 'SwiftShader driver 5.0.0',
      }),
    ).toMatch(/CPU emulation \(SwiftShader\)/);
    expect(emulationReason({ ...real, vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toMatch(
      /llvmpipe/,
    );
    expect(emulationReason({ ...real, description: 'Microsoft Basic Render Driver' })).toMatch(/CPU emulation/);
    expect(emulationReason({ ...real, isFallbackAdapter: true })).toMatch(/fallback adapter/);
  });

  it('finds Vulkan driver files where the loader looks, and none when told a missing one', () => {
    expect(vulkanDriverFiles({ VK_ICD_FILENAMES: '/nonexistent/icd.json' })).toEqual([]);
    if (skipWebGpu()) return;
    expect(vulkanDriverFiles({ VK_ICD_FILENAMES: SWIFTSHADER_ICD })).toEqual([SWIFTSHADER_ICD]);
  });
});

describe.skipIf(skipWebGpu())('webgpu on SwiftShader', () => {
  it('auto keeps wasm when the only adapter is an emulation; the probe names the adapter', async () => {
    const statuses = await probeBackends();
    const webgpu = statuses.find((s) => s.name === 'webgpu')!;
    expect(webgpu).toMatchObject({ available: true, auto: false });
    expect(webgpu.reason).toMatch(/^ready, but auto skips it: the only adapter is a CPU emulation \(SwiftShader\)/);
    expect(webgpu.adapter).toMatchObject({
      vendor: 'google',
      architecture: 'swiftshader',
      emulation: 'a CPU emulation (SwiftShader)',
    });
    expect(webgpu.adapter!.limits.maxStorageBuffersPerShaderStage).toBeGreaterThan(8);
    const auto = await activateBackend('auto');
    expect(auto.name).toBe('wasm');
    expect(auto.why).toMatch(
      /skipped .*webgpu \(the only adapter is a CPU emulation \(SwiftShader\), slower than wasm\)/,
    );
  });

  it('explicit webgpu runs on the device made with the adapter limits (AddN of 12 passes validation)', async () => {
    const active = await activateBackend('webgpu');
    expect(active).toMatchObject({ name: 'webgpu', tfBackend: 'webgpu' });
    expect(active.why).toMatch(/^webgpu as requested: WebGPU on google swiftshader/);
    const device = webgpuDevice()!;
    expect(device.limits.maxStorageBuffersPerShaderStage).toBe(active.adapter!.limits.maxStorageBuffersPerShaderStage);
    // Timestamp queries are for profiling only (tests/engine/webgpu/timestamps.test.ts), never for training.
    expect(device.features.has('timestamp-query')).toBe(false);
    expect(() => requestGpuTimestamps()).toThrow(/before Dawn is loaded/);
    const parts = Array.from({ length: 12 }, (_, i) => tf.fill([3], i));
    const sum = tf.addN(parts);
    expect(Array.from(await sum.data())).toEqual([66, 66, 66]);
    tf.dispose([...parts, sum]);
    expect(webgpuFault()).toBeNull();
  });

  it('a destroyed device is a device-lost fault; the next activation makes a fresh device', async () => {
    await activateBackend('webgpu');
    const first = webgpuDevice()!;
    first.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(webgpuFault()).toMatchObject({ kind: 'device-lost' });
    const again = await activateWebGpu();
    expect(again.ok).toBe(true);
    expect(webgpuDevice()).not.toBe(first);
    expect(webgpuFault()).toBeNull();
    const y = tf.add(tf.tensor([1, 2]), 1);
    expect(Array.from(await y.data())).toEqual([2, 3]);
    await activateBackend('cpu');
  });
});
