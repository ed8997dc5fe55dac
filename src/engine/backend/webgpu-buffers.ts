/**
 * What GPU memory tfjs-backend-webgpu really holds, for calibrating the memory
 * estimate (./gpu-memory.ts). All of it goes through the backend's buffer
 * manager: `numBytesUsed` is the buffers tensors (and uniforms, staging) hold
 * now, `numBytesAllocated` everything created, including the freed buffers it
 * pools for reuse by exact size and usage and never gives back. The pool is
 * what Dawn has allocated, so it is what must fit on the GPU.
 */
import * as tf from '@tensorflow/tfjs';

interface BufferManagerLike {
  numBytesUsed: number;
  numBytesAllocated: number;
  numFreeBuffers: number;
  freeBuffers: Map<string, GPUBuffer[]>;
  acquireBuffer(...args: unknown[]): GPUBuffer;
}

function manager(): BufferManagerLike {
  if (tf.getBackend() !== 'webgpu') throw new Error(`GPU buffers need the webgpu backend, not ${tf.getBackend()}`);
  return (tf.backend() as unknown as { bufferManager: BufferManagerLike }).bufferManager;
}

/** Bytes in GPU buffers now: held by live data, and created in all (the reuse pool included). */
export function gpuBufferBytes(): { used: number; allocated: number } {
  const m = manager();
  return { used: m.numBytesUsed, allocated: m.numBytesAllocated };
}

/**
 * Destroys the pooled free buffers, so that what a measurement allocates next is
 * its own. Safe: no tensor holds them. Returns the bytes given back.
 */
export function dropFreeGpuBuffers(): number {
  const m = manager();
  let bytes = 0;
  for (const list of m.freeBuffers.values()) {
    for (const buffer of list) {
      bytes += buffer.size;
      buffer.destroy();
    }
    list.length = 0;
  }
  m.numFreeBuffers = 0;
  m.numBytesAllocated -= bytes;
  return bytes;
}

/** Runs `fn` and reports the highest `used` bytes seen at any buffer acquisition during it. */
export async function peakGpuBytesUsed<T>(fn: () => Promise<T> | T): Promise<{ result: T; peakUsed: number }> {
  const m = manager();
  const acquire = m.acquireBuffer;
  let peakUsed = m.numBytesUsed;
  m.acquireBuffer = function (this: BufferManagerLike, ...args: unknown[]) {
    const buffer = acquire.apply(this, args);
    peakUsed = Math.max(peakUsed, this.numBytesUsed);
    return buffer;
  };
  try {
    return { result: await fn(), peakUsed };
  } finally {
    m.acquireBuffer = acquire;
  }
}
