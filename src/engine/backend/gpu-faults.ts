/**
 * GPU faults during training, as the user sees them: one line that says what
 * happened, that the last checkpoint is intact, and how to go on. WebGPU reports
 * a lost device or an out-of-memory error asynchronously and lets the failing
 * commands produce zeros, so the training loop asks after every step, before it
 * writes a sample or a checkpoint: nothing a fault touched is ever saved.
 */
import { UserError } from '../errors';
import { webgpuFault, type GpuFault } from './webgpu';

/** A fault of the GPU backend, with the line for the user. */
export class GpuFaultError extends UserError {
  override name = 'GpuFaultError';
  constructor(
    readonly fault: GpuFault,
    message: string,
  ) {
    super(message);
  }
}

/** The fault on the active GPU backend, or null (always null off webgpu). */
export function gpuFaultFor(backend: string): GpuFault | null {
  return backend === 'webgpu' ? webgpuFault() : null;
}

/** Where the run stands: its folder and the step of its newest checkpoint (null: none yet). */
export interface FaultContext {
  runDir: string;
  step: number;
  lastCheckpointStep: number | null;
}

/** The user's line for a fault: what, where, what is kept, how to resume. */
export function gpuFaultMessage(fault: GpuFault, at: FaultContext): string {
  const what =
    fault.kind === 'device-lost'
      ? `The GPU device was lost at step ${at.step} (${fault.message}; a driver reset, a GPU unplugged or the machine sleeping)`
      : fault.kind === 'out-of-memory'
        ? `The GPU ran out of memory at step ${at.step} (${fault.message})`
        : `The GPU reported an error at step ${at.step} (${fault.message})`;
  const kept =
    at.lastCheckpointStep != null
      ? `its last checkpoint (step ${at.lastCheckpointStep}) is intact`
      : 'it had no checkpoint yet, so a resume starts from step 0';
  const how =
    fault.kind === 'out-of-memory'
      ? `resume on the CPU with: gan-studio train --resume ${at.runDir} --backend wasm, or start a new run with a smaller --batch`
      : `resume with: gan-studio train --resume ${at.runDir} (same backend) or add --backend wasm to go on without the GPU`;
  return `${what}. The run stopped; ${kept}. To continue, ${how}.`;
}

/** Throws a GpuFaultError when the backend has a fault. */
export function throwIfGpuFault(backend: string, at: () => FaultContext): void {
  const fault = gpuFaultFor(backend);
  if (fault != null) throw new GpuFaultError(fault, gpuFaultMessage(fault, at()));
}
