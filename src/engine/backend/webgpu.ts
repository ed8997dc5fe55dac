/**
 * The `webgpu` backend: @tensorflow/tfjs-backend-webgpu on Dawn.
 *
 * tfjs-backend-webgpu's own factory cannot be used in Node: it pushes an array into
 * requiredFeatures, which Dawn rejects, and it asks for default limits, under which
 * an AddN of 9 tensors (Adam's gradient sums) fails validation (8 storage buffers
 * per stage). So the device is created here with the adapter's own limits and the
 * backend registered by hand. Device loss and GPU errors (out of memory among them)
 * never throw where they happen; they are recorded here, and the training loop
 * asks `webgpuFault()` after each step, before anything is saved.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWebGpuKernels } from './webgpu-kernels';
import {
  adapterInfoOf,
  describeAdapter,
  findAdapter,
  forgetAdapter,
  gpuTimestampsRequested,
  type GpuAdapterSummary,
} from './webgpu-adapter';

export type GpuFaultKind = 'device-lost' | 'out-of-memory' | 'gpu-error';

export interface GpuFault {
  kind: GpuFaultKind;
  /** Dawn's own words, first line. */
  message: string;
}

export type WebGpuActivation =
  { ok: true; adapter: GpuAdapterSummary; detail: string } | { ok: false; reason: string; adapter?: GpuAdapterSummary };

interface LiveDevice {
  device: GPUDevice;
  fault: GpuFault | null;
}

let live: LiveDevice | null = null;
let registered: Promise<void> | null = null;

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}

async function createDevice(adapter: GPUAdapter): Promise<LiveDevice> {
  const l = adapter.limits;
  // Timestamp queries only when profiling (requestGpuTimestamps): tfjs then times every program in tf.profile.
  const timestamps = gpuTimestampsRequested() && adapter.features.has('timestamp-query');
  const device = await adapter.requestDevice({
    requiredFeatures: timestamps ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  const entry: LiveDevice = { device, fault: null };
  void device.lost.then((info) => {
    // Loss outranks an earlier error: the device is gone for good.
    entry.fault = { kind: 'device-lost', message: firstLine(info.message || info.reason || 'device lost') };
  });
  device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
    if (entry.fault != null) return; // the first error explains the rest
    const err = event.error;
    // A buffer over the device's size limits is the same trouble to the user as memory running out.
    const oom =
      (typeof GPUOutOfMemoryError === 'function' && err instanceof GPUOutOfMemoryError) ||
      /out of memory|max(imum)? ?buffer ?size|maxStorageBufferBindingSize|binding size/i.test(err.message);
    entry.fault = { kind: oom ? 'out-of-memory' : 'gpu-error', message: firstLine(err.message) };
  };
  return entry;
}

/** Drops tfjs' webgpu backend (after a device loss), switching away from it first. */
async function dropBackend(): Promise<void> {
  if (tf.getBackend() === 'webgpu') await tf.setBackend(tf.engine().registry.wasm != null ? 'wasm' : 'cpu');
  if (tf.findBackendFactory('webgpu') != null) {
    try {
      tf.removeBackend('webgpu');
    } catch {
      // disposing buffers of a dead device can throw; the backend is gone either way
    }
  }
}

/**
 * Makes 'webgpu' the active tfjs backend on the adapter Dawn finds. A device that
 * was lost is replaced by a fresh one. Never throws.
 */
export async function activateWebGpu(): Promise<WebGpuActivation> {
  if (live != null && live.fault?.kind === 'device-lost') {
    // A lost device stays lost, and its adapter cannot make another one: start over.
    await dropBackend();
    live = null;
    registered = null;
    forgetAdapter();
  }
  // An out-of-memory or other error belonged to the run that stopped on it; the device itself still works.
  if (live != null && live.fault != null) live.fault = null;
  const found = await findAdapter();
  if (!found.ok) return found;
  const { adapter, summary } = found;
  try {
    if (live == null) live = await createDevice(adapter);
    const device = live.device;
    registered ??= (async () => {
      // navigator.gpu is set by findAdapter, so this import also registers tfjs' own
      // 'webgpu' factory; it is replaced by one that uses our device.
      const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
      if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
      tf.registerBackend(
        'webgpu',
        () => new WebGPUBackend(device, adapterInfoOf(adapter) as unknown as GPUAdapterInfo),
        0,
      );
      registerWebGpuKernels();
    })();
    await registered;
    if (tf.getBackend() !== 'webgpu' || tf.engine().registry.webgpu == null) {
      if (!(await tf.setBackend('webgpu')))
        return { ok: false, reason: 'tfjs could not start its webgpu backend on this device', adapter: summary };
    }
  } catch (err) {
    return {
      ok: false,
      reason: `WebGPU device creation failed: ${firstLine(err instanceof Error ? err.message : String(err))}`,
      adapter: summary,
    };
  }
  return { ok: true, adapter: summary, detail: `WebGPU on ${describeAdapter(summary)}` };
}

/** The GPU device tfjs uses, or null before activateWebGpu. */
export function webgpuDevice(): GPUDevice | null {
  return live?.device ?? null;
}

/** Whether the live device times GPU work (it was created with 'timestamp-query' for profiling). */
export function webgpuTimestamps(): boolean {
  return live?.device.features.has('timestamp-query') ?? false;
}

/** The first fault on the live device (loss, out of memory, another GPU error), or null. */
export function webgpuFault(): GpuFault | null {
  return live?.fault ?? null;
}
