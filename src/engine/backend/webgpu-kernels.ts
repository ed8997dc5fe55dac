/**
 * GAN Studio's kernels for `@tensorflow/tfjs-backend-webgpu` 4.22, registered for
 * the `webgpu` backend only:
 *
 * - `AddN`: the stock kernel binds every input plus the output as storage buffers
 *   in one shader, so a sum of more than maxStorageBuffersPerShaderStage − 1 tensors
 *   fails validation and silently yields zeros (Adam's and the penalties' gradient
 *   sums reach 12+ terms). This one sums in chunks that fit, with the stock kernel.
 *
 * Checked against the `cpu` backend in tests/engine/webgpu.
 */
import * as tf from '@tensorflow/tfjs';

type Stock = (args: { inputs: tf.TensorInfo[]; backend: tf.KernelBackend; attrs?: unknown }) => tf.TensorInfo;

interface WebGpuBackendLike extends tf.KernelBackend {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
}

let stockAddN: Stock | null = null;

/** AddN in chunks of at most (storage buffers per stage − 1) inputs. */
export function addNWebGpu(args: { inputs: tf.TensorInfo[]; backend: tf.KernelBackend; attrs?: unknown }): tf.TensorInfo {
  const stock = stockAddN!;
  const backend = args.backend as WebGpuBackendLike;
  const maxInputs = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
  let inputs = args.inputs;
  if (inputs.length <= maxInputs) return stock({ ...args, inputs });
  const temps: tf.TensorInfo[] = [];
  while (inputs.length > maxInputs) {
    const partial = stock({ inputs: inputs.slice(0, maxInputs), backend });
    temps.push(partial);
    inputs = [partial, ...inputs.slice(maxInputs)];
  }
  const out = stock({ inputs, backend });
  for (const t of temps) backend.disposeData(t.dataId);
  return out;
}

/** Kernels this module registers for `webgpu`. */
export const WEBGPU_EXTRA_KERNELS = ['AddN'] as const;

/** Registers the kernels above once (after tfjs-backend-webgpu is imported). */
export function registerWebGpuKernels(): void {
  if (stockAddN != null) return;
  const stock = tf.getKernel('AddN', 'webgpu');
  if (stock == null) throw new Error("tfjs-backend-webgpu registered no 'AddN' kernel");
  stockAddN = stock.kernelFunc as unknown as Stock;
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc: addNWebGpu as unknown as tf.KernelFunc });
}
