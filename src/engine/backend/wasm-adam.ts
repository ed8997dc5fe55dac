/**
 * One Adam update of a variable in a single pass for the wasm backend:
 * `GanStudioAdam` {p, m, v, g} {params} → [p′, m′, v′].
 *
 * src/engine/train/adam.ts runs 13 tensor ops per variable (each a pass over the
 * variable, a new buffer and a kernel call); where GAN Studio's wasm module runs
 * (./wasm-gemm.ts; the loop is in scripts/wasm-gemm/gen-elementwise.mjs) this kernel
 * does the same float32 operations in the same order in one pass, split across the GEMM
 * pool's threads on the threaded build, so the results are bit for bit the op chain's
 * (tests/engine/backend/wasm-elementwise.test.ts) and exact resume is unchanged.
 * params = [β1, 1 − β1, β2, 1 − β2, 1/√(1 − β2ᵗ), ε, step size], each rounded to float32
 * as the op chain's scalars are.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmElementwise } from './wasm-gemm';
import { heapAddress, type KernelBackend, type TensorInfo } from './wasm-util';

export const ADAM_KERNEL = 'GanStudioAdam';

/** Whether the fused update can run now: wasm is the active backend and the module runs there. */
export function wasmAdamAvailable(): boolean {
  return (
    tf.getBackend() === 'wasm' && tf.getKernel(ADAM_KERNEL, 'wasm') != null && wasmElementwise(tf.backend()) != null
  );
}

/** [p′, m′, v′] for one variable (new tensors; the inputs are left as they are). */
export function wasmAdamUpdate(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, params: number[]): tf.Tensor[] {
  return tf.engine().runKernel(ADAM_KERNEL, { p, m, v, g }, { params } as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

export function adamWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo[] {
  const { inputs, backend } = args;
  const params = (args.attrs as unknown as { params: number[] }).params;
  const { p, m, v, g } = inputs;
  const gemm = wasmElementwise(backend);
  if (p == null || m == null || v == null || g == null || gemm == null) {
    throw new Error(`${ADAM_KERNEL}: inputs p, m, v, g on the wasm module are required`);
  }
  const n = tf.util.sizeFromShape(p.shape);
  for (const t of [m, v, g]) {
    if (t.dtype !== 'float32' || tf.util.sizeFromShape(t.shape) !== n) {
      throw new Error(`${ADAM_KERNEL}: m, v, g must be float32 of p's size [${p.shape}]`);
    }
  }
  if (params.length !== 7) throw new Error(`${ADAM_KERNEL}: 7 params expected, got ${params.length}`);
  const wasm = backend as unknown as BackendWasm;
  const outs = [
    wasm.makeOutput(p.shape, 'float32'),
    wasm.makeOutput(p.shape, 'float32'),
    wasm.makeOutput(p.shape, 'float32'),
  ];
  const prm = gemm.malloc(7 * 4);
  try {
    new Float32Array(gemm.buffer(), prm, 7).set(params);
    const [ap, am, av, ag] = [p, m, v, g].map((t) => heapAddress(backend, t));
    const [op, om, ov] = outs.map((t) => heapAddress(backend, t));
    gemm.elementwise('adam', n, (o, c) => {
      const b = o * 4;
      return [ap + b, am + b, av + b, ag + b, c, prm, op + b, om + b, ov + b];
    });
  } finally {
    gemm.free(prm);
  }
  return outs;
}
