/**
 * Backend selection on a machine like ours: wasm and cpu work, the native
 * TensorFlow packages (optional dependencies) are not installed.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_PREFERENCE, BackendError, probeBackends, activateBackend } from '../../../src/engine/backend';
import { wasmBinaryDir } from '../../../src/engine/backend/wasm';

describe('wasm setup', () => {
  // First in this file, so the wasm module is instantiated here, under the fetch spy.
  it('loads the .wasm binaries from node_modules without any fetch', async () => {
    expect(wasmBinaryDir()).toMatch(/@tensorflow[\\/]tfjs-backend-wasm[\\/]dist$/);
    expect(tf.engine().registry.wasm).toBeUndefined();
    const realFetch = globalThis.fetch;
    const fetched: string[] = [];
    globalThis.fetch = ((input: string | URL | Request) => {
      fetched.push(String(input));
      return Promise.reject(new Error('network is off in this test'));
    }) as typeof fetch;
    const listeners = (): number[] => [
      process.listenerCount('uncaughtException'),
      process.listenerCount('unhandledRejection'),
    ];
    const before = listeners();
    try {
      const active = await activateBackend('wasm');
      // Emscripten's rethrowing process handlers were taken off again.
      expect(listeners()).toEqual(before);
      expect(active).toMatchObject({ name: 'wasm', tfBackend: 'wasm' });
      expect(active.why).toMatch(/WebAssembly/);
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(fetched).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeTruthy();
  });
});

describe('probeBackends', () => {
  it('lists all five in preference order: wasm and cpu ready, native TensorFlow not installed', async () => {
    await activateBackend('cpu');
    const statuses = await probeBackends();
    expect(statuses.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(statuses.map((s) => s.name)).toEqual([...BACKEND_PREFERENCE]);
    const by = Object.fromEntries(statuses.map((s) => [s.name, s]));
    expect(by.wasm).toEqual({ name: 'wasm', available: true, reason: 'ready', auto: true });
    expect(by.cpu).toEqual({ name: 'cpu', available: true, reason: 'ready', auto: true });
    // No real GPU on test machines: webgpu is either missing (no Vulkan driver) or an emulation auto skips.
    expect(by.webgpu.available === false || by.webgpu.auto === false).toBe(true);
    expect(by['tensorflow-gpu'].available).toBe(false);
    expect(by['tensorflow-gpu'].reason).toMatch(/@tensorflow\/tfjs-node-gpu.*not installed/);
    expect(by.tensorflow.available).toBe(false);
    expect(by.tensorflow.reason).toMatch(/@tensorflow\/tfjs-node.*not installed/);
    for (const s of statuses) expect(s.reason).not.toMatch(/\n/);
    // Probing restored the backend that was active.
    expect(tf.getBackend()).toBe('cpu');
  });

  it('restores wasm too', async () => {
    await activateBackend('wasm');
    await probeBackends();
    expect(tf.getBackend()).toBe('wasm');
  });
});

describe('activateBackend', () => {
  it("throws a one-line BackendError for 'tensorflow' and 'tensorflow-gpu' and keeps the active backend", async () => {
    await activateBackend('wasm');
    for (const name of ['tensorflow', 'tensorflow-gpu'] as const) {
      const err = await activateBackend(name).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BackendError);
      const e = err as BackendError;
      expect(e.name).toBe('BackendError');
      expect(e.backend).toBe(name);
      expect(e.message).toContain(`'${name}'`);
      expect(e.message).toMatch(/not installed/);
      expect(e.message).not.toMatch(/\n/);
      expect(tf.getBackend()).toBe('wasm');
    }
  });

  it("'auto' picks wasm here and says why", async () => {
    await activateBackend('cpu');
    const active = await activateBackend('auto');
    expect(active.name).toBe('wasm');
    expect(active.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(active.why).toMatch(/^auto picked wasm/);
    expect(active.why).toMatch(/tensorflow-gpu \(@tensorflow\/tfjs-node-gpu is not installed\)/);
    expect(active.why).not.toMatch(/\n/);
  });

  it("'cpu' works and is reported as such", async () => {
    const active = await activateBackend('cpu');
    expect(active).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    await activateBackend('wasm');
  });

  it('rejects an unknown name with BackendError', async () => {
    await expect(activateBackend('webgl' as unknown as 'cpu')).rejects.toBeInstanceOf(BackendError);
  });
});
