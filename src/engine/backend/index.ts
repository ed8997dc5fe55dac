export {
  BACKEND_PREFERENCE,
  BackendError,
  probeBackends,
  activateBackend,
  type ActiveBackend,
  type BackendStatus,
  type ConcreteBackendName,
} from './select';
export { physicalCores, resolveThreads, withResolvedThreads } from './threads';
export { wasmThreadsInUse } from './wasm';
export { registerWasmKernels, conv2DBackpropFilterWasm } from './wasm-kernels';
export { registerZeroGradients, ZERO_GRADIENT_KERNELS } from './gradients';
export { activateWebGpu, webgpuDevice, webgpuFault, type GpuFault, type GpuFaultKind } from './webgpu';
export { describeAdapter, emulationReason, type GpuAdapterSummary } from './webgpu-adapter';
