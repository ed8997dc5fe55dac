/**
 * Helpers for GAN Studio's wasm kernels: running a stock wasm kernel at the
 * backend level (no tape, no engine tensors) and plain copies on the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type KernelBackend = tf.KernelBackend;

/** Stock wasm kernel configs, captured before GAN Studio replaces any of them. */
const stock = new Map<string, tf.KernelConfig>();

/** Remember the stock kernel of `name` (call before replacing it); returns it, or undefined when wasm has none. */
export function saveStockKernel(name: string): tf.KernelConfig | undefined {
  if (!stock.has(name)) {
    const k = tf.getKernel(name, 'wasm');
    if (k != null) stock.set(name, k);
  }
  return stock.get(name);
}

/**
 * Runs one stock wasm kernel and returns its single output. The caller owns the
 * output and must free it with `backend.disposeData(out.dataId)`.
 */
export function runWasm(
  backend: KernelBackend,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernelFunc = stock.get(kernelName)?.kernelFunc ?? tf.getKernel(kernelName, 'wasm')?.kernelFunc;
  if (kernelFunc == null) {
    throw new Error(`wasm kernel '${kernelName}' is not registered (needed by GAN Studio's extra wasm kernels)`);
  }
  const out = kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

/** Reshape is free on wasm (same dataId, refCount + 1); the result still must be freed. */
export function reshape(backend: KernelBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasm(backend, 'Reshape', { x }, { shape });
}

/** The byte address of `t`'s data on the wasm heap (for kernels that work on it in place). */
export function heapAddress(backend: KernelBackend, t: TensorInfo): number {
  return (backend as unknown as BackendWasm).dataIdMap.get(t.dataId)!.memoryOffset;
}

/**
 * `out` + `bias` (a fused kernel's bias on top of its linear product); frees `out`. It runs
 * the Add registered now, not the saved stock one: GAN Studio's (wasm-binary.ts, one SIMD
 * pass, the stock bits) unless the stock kernels are put back, so the bias add skips
 * XNNPACK's per-call pthreadpool hand-off like every other Add.
 */
export function addBias(backend: KernelBackend, out: TensorInfo, bias: TensorInfo): TensorInfo {
  try {
    const add = tf.getKernel('Add', 'wasm')?.kernelFunc;
    if (add == null) return runWasm(backend, 'Add', { a: out, b: bias });
    const sum = add({ inputs: { a: out, b: bias }, backend, attrs: {} });
    return Array.isArray(sum) ? sum[0] : sum;
  } finally {
    backend.disposeData(out.dataId);
  }
}

export function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}
