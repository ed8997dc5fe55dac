/**
 * GAN Studio's kernels for `@tensorflow/tfjs-backend-webgpu` 4.22, registered for
 * the `webgpu` backend only:
 *
 * - `AddN`: the stock kernel binds every input plus the output as storage buffers
 *   in one shader, so a sum of more than maxStorageBuffersPerShaderStage − 1 tensors
 *   fails validation and silently yields zeros (Adam's and the penalties' gradient
 *   sums reach 12+ terms). This one sums in chunks that fit, with the stock kernel.
 *
 * - `GanMoment`, `GanAdamParam`, … : the fused optimizer and EMA updates (./webgpu-fused.ts).
 *
 * Everything else training uses was checked against the `cpu` backend and found
 * right (tests/engine/webgpu/kernels.test.ts), so nothing else is replaced.
 */
import * as tf from '@tensorflow/tfjs';
import { registerFusedUpdateKernels } from './webgpu-fused';

type Stock = (args: { inputs: tf.TensorInfo[]; backend: tf.KernelBackend; attrs?: unknown }) => tf.TensorInfo;

interface WebGpuBackendLike extends tf.KernelBackend {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
}

let stockAddN: Stock | null = null;
function stockKernel(name: string): Stock {
  const k = tf.getKernel(name, 'webgpu');
  if (k == null) throw new Error(`tfjs-backend-webgpu registered no '${name}' kernel`);
  return k.kernelFunc as unknown as Stock;
}

/** AddN in chunks of at most (storage buffers per stage − 1) inputs. */
function addNWebGpu(args: { inputs: tf.TensorInfo[]; backend: tf.KernelBackend; attrs?: unknown }): tf.TensorInfo {
  const sum = stockAddN!;
  const backend = args.backend as WebGpuBackendLike;
  const maxInputs = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
  let inputs = args.inputs;
  if (inputs.length <= maxInputs) return sum({ ...args, inputs });
  const temps: tf.TensorInfo[] = [];
  while (inputs.length > maxInputs) {
    const partial = sum({ inputs: inputs.slice(0, maxInputs), backend });
    temps.push(partial);
    inputs = [partial, ...inputs.slice(maxInputs)];
  }
  const out = sum({ inputs, backend });
  for (const t of temps) backend.disposeData(t.dataId);
  return out;
}

/** Registers the kernels above once (after tfjs-backend-webgpu is imported). */
export function registerWebGpuKernels(): void {
  registerFusedUpdateKernels();
  if (stockAddN != null) return;
  stockAddN = stockKernel('AddN');
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({ kernelName: 'AddN', backendName: 'webgpu', kernelFunc: addNWebGpu as unknown as tf.KernelFunc });
}
