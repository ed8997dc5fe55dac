/** A WebGPU adapter as `gan-studio info` and the studio show it (plain data, no Dawn objects). */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter says it is a fallback (software) adapter. */
  fallback: boolean;
  /** Why this is a CPU emulation (SwiftShader, llvmpipe, a fallback adapter), or null for a real GPU. auto never picks an emulation. */
  emulation: string | null;
  /** The limits the training device is created with (the adapter's own maxima). */
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxStorageBuffersPerShaderStage: number;
    maxComputeWorkgroupStorageSize: number;
  };
}
