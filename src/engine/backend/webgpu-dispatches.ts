/**
 * Counting what the webgpu backend really sends to the GPU. tf.profile lists
 * every kernel call, but on tfjs-backend-webgpu many of those (Reshape,
 * Identity, a Cast to the same dtype) only share a buffer and dispatch nothing.
 * This counts the compute dispatches themselves, per WebGPU program, by
 * wrapping the backend's recordAndSubmit (the one place a program is
 * dispatched), and the host-to-GPU uploads of tensor data.
 */
import * as tf from '@tensorflow/tfjs';

interface ProgramLike {
  constructor: { name: string };
  shaderKey?: string;
}

interface WebGpuBackendInternals {
  recordAndSubmit(program: ProgramLike, ...rest: unknown[]): void;
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { resource?: unknown; values?: unknown } | undefined };
}

export interface DispatchCount {
  /** Compute dispatches in all. */
  total: number;
  /** Dispatches per WebGPU program class (e.g. BinaryOpProgram, Conv2DMMProgram). */
  byProgram: Map<string, number>;
  /** Tensors whose data went from the host to a GPU buffer (constants such as scalars among them). */
  uploads: number;
}

/** Runs `fn` on the active webgpu backend and counts its GPU dispatches and uploads. */
export async function countWebGpuDispatches<T>(fn: () => Promise<T> | T): Promise<{ result: T; count: DispatchCount }> {
  if (tf.getBackend() !== 'webgpu')
    throw new Error(`counting dispatches needs the webgpu backend, not ${tf.getBackend()}`);
  const backend = tf.backend() as unknown as WebGpuBackendInternals;
  const count: DispatchCount = { total: 0, byProgram: new Map(), uploads: 0 };
  const record = backend.recordAndSubmit;
  const upload = backend.uploadToGPU;
  backend.recordAndSubmit = function (this: WebGpuBackendInternals, program, ...rest) {
    count.total++;
    const name = program.constructor.name;
    count.byProgram.set(name, (count.byProgram.get(name) ?? 0) + 1);
    return record.call(this, program, ...rest);
  };
  backend.uploadToGPU = function (this: WebGpuBackendInternals, dataId) {
    // Host values without a GPU buffer yet are copied up (a new output only gets a buffer).
    const data = this.tensorMap.get(dataId);
    if (data != null && data.resource == null && data.values != null) count.uploads++;
    return upload.call(this, dataId);
  };
  try {
    return { result: await fn(), count };
  } finally {
    backend.recordAndSubmit = record;
    backend.uploadToGPU = upload;
  }
}
