/**
 * The code path for machines where @tensorflow/tfjs-node(-gpu) ARE installed,
 * exercised with stand-ins: each mock registers the backend 'tensorflow' on the
 * shared tfjs engine and switches to it on import, like the real packages do,
 * with the cpu kernels behind it and the real backend's isGPUPackage /
 * isUsingGpuDevice fields.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type * as Select from '../../../src/engine/backend/select';

type SelectModule = typeof Select;

/** The JS cpu backend's class (from the live instance: @tensorflow/tfjs-backend-cpu is not a direct dependency). */
function cpuBackendClass(): new () => tf.KernelBackend {
  return tf.findBackend('cpu').constructor as new () => tf.KernelBackend;
}

function fakeNativePackage(pkg: string, usingGpu: boolean): () => Record<string, unknown> {
  return () => {
    const MathBackendCPU = cpuBackendClass();
    tf.copyRegisteredKernels('cpu', 'tensorflow');
    tf.registerBackend(
      'tensorflow',
      () => Object.assign(new MathBackendCPU(), { isGPUPackage: pkg.endsWith('-gpu'), isUsingGpuDevice: usingGpu }),
      3,
    );
    void tf.setBackend('tensorflow'); // the real packages do this on import
    return { version: { 'tfjs-node': '4.22.0' } };
  };
}

function brokenNativePackage(): never {
  throw new Error(
    'libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._extensions..node',
  );
}

async function freshSelect(
  mocks: Partial<Record<'@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu', () => unknown>>,
): Promise<SelectModule> {
  vi.resetModules(); // forget which native package an earlier test loaded
  for (const [pkg, factory] of Object.entries(mocks)) vi.doMock(pkg, factory as () => Record<string, unknown>);
  return import('../../../src/engine/backend/select');
}

afterEach(async () => {
  vi.doUnmock('@tensorflow/tfjs-node');
  vi.doUnmock('@tensorflow/tfjs-node-gpu');
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
});

describe('native TensorFlow backends (simulated installs)', () => {
  it('@tensorflow/tfjs-node installed: tensorflow is ready, auto picks it, probing restores the backend', async () => {
    const sel = await freshSelect({ '@tensorflow/tfjs-node': fakeNativePackage('@tensorflow/tfjs-node', false) });
    await tf.setBackend('cpu');
    const all = await sel.probeBackends();
    // webgpu depends on the machine's Vulkan driver (tests/engine/backend/webgpu-*.test.ts cover it).
    const statuses = all.filter((s) => s.name !== 'webgpu');
    expect(all.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(statuses.map((s) => [s.name, s.available])).toEqual([
      ['tensorflow-gpu', false],
      ['tensorflow', true],
      ['wasm', true],
      ['cpu', true],
    ]);
    expect(statuses[0].reason).toMatch(/@tensorflow\/tfjs-node-gpu is not installed/);
    expect(tf.getBackend()).toBe('cpu');
    const active = await sel.activateBackend('auto');
    expect(active).toMatchObject({ name: 'tensorflow', tfBackend: 'tensorflow' });
    expect(active.why).toMatch(/^auto picked tensorflow, the fastest available: native TensorFlow \(libtensorflow\)/);
    // With the CPU build loaded, the GPU build is not loaded beside it (two libtensorflows clash).
    await expect(sel.activateBackend('tensorflow-gpu')).rejects.toThrow(
      /^Backend 'tensorflow-gpu' is not available: the CPU build @tensorflow\/tfjs-node is already loaded/,
    );
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('@tensorflow/tfjs-node-gpu without a visible GPU: tensorflow-gpu unavailable, tensorflow runs through it', async () => {
    const sel = await freshSelect({
      '@tensorflow/tfjs-node-gpu': fakeNativePackage('@tensorflow/tfjs-node-gpu', false),
    });
    const statuses = (await sel.probeBackends()).filter((s) => s.name !== 'webgpu');
    expect(statuses[0]).toMatchObject({ name: 'tensorflow-gpu', available: false });
    expect(statuses[0].reason).toMatch(/sees no GPU.*CUDA 11\.2/);
    expect(statuses[1]).toEqual({ name: 'tensorflow', available: true, reason: 'ready', auto: true });
    const active = await sel.activateBackend('tensorflow');
    expect(active.why).toMatch(/via @tensorflow\/tfjs-node-gpu/);
  });

  it('@tensorflow/tfjs-node-gpu with a GPU: auto picks tensorflow-gpu', async () => {
    const sel = await freshSelect({
      '@tensorflow/tfjs-node-gpu': fakeNativePackage('@tensorflow/tfjs-node-gpu', true),
    });
    const active = await sel.activateBackend('auto');
    expect(active).toMatchObject({ name: 'tensorflow-gpu', tfBackend: 'tensorflow' });
    expect(active.why).toMatch(/^auto picked tensorflow-gpu/);
    // The backend really computes.
    expect(Array.from(tf.add(tf.tensor([1, 2]), 1).dataSync())).toEqual([2, 3]);
  });

  it('an installed package that fails to load: auto falls back to wasm, explicit use throws', async () => {
    const sel = await freshSelect({ '@tensorflow/tfjs-node': brokenNativePackage });
    const statuses = (await sel.probeBackends()).filter((s) => s.name !== 'webgpu');
    expect(statuses[1]).toMatchObject({ name: 'tensorflow', available: false });
    expect(statuses[1].reason).toMatch(/^@tensorflow\/tfjs-node failed to load: /);
    expect(statuses[1].reason).not.toMatch(/\n/);
    await expect(sel.activateBackend('tensorflow')).rejects.toBeInstanceOf(sel.BackendError);
    expect((await sel.activateBackend('auto')).name).toBe('wasm');
  });

  it('describes load failures in one line: missing package vs missing libtensorflow', async () => {
    const { describeNativeFailure } = await import('../../../src/engine/backend/native');
    const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x/native.ts"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(describeNativeFailure('@tensorflow/tfjs-node', missing)).toMatch(
      /^@tensorflow\/tfjs-node is not installed \(/,
    );
    let lib: unknown;
    try {
      brokenNativePackage();
    } catch (err) {
      lib = err;
    }
    expect(describeNativeFailure('@tensorflow/tfjs-node', lib)).toBe(
      'libtensorflow not installed or not loadable (@tensorflow/tfjs-node failed to load: ' +
        'libtensorflow.so.2: cannot open shared object file: No such file or directory)',
    );
    // Installed, but its native addon is missing (the libtensorflow download failed).
    const addon = Object.assign(
      new Error("Cannot find module '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'"),
      { code: 'MODULE_NOT_FOUND' },
    );
    expect(describeNativeFailure('@tensorflow/tfjs-node', addon)).toMatch(
      /^libtensorflow not installed or not loadable \(@tensorflow\/tfjs-node failed to load: Cannot find module/,
    );
    // A missing dependency of the package is not "the package is not installed".
    const dep = Object.assign(new Error("Cannot find module 'bindings'"), { code: 'MODULE_NOT_FOUND' });
    expect(describeNativeFailure('@tensorflow/tfjs-node-gpu', dep)).toBe(
      "@tensorflow/tfjs-node-gpu failed to load: Cannot find module 'bindings'",
    );
  });
});
