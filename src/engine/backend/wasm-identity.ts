/**
 * `Identity` for the wasm backend without a copy.
 *
 * The stock wasm Identity copies the tensor into new heap memory. tfjs calls it for
 * every `clone()`, and every tensor a gradient saves is a clone: each fused conv of a
 * training step saved a copy of its input, filter and output (468 Identity calls, about
 * 100 MB copied per dcgan-64 step), and BatchNorm statistics are cloned around every
 * step. Tensors are immutable in tfjs (a Variable's assign swaps its dataId, nothing
 * writes into existing data), so the output can share the input's data, as the stock
 * wasm Reshape and the cpu backend's Identity do: one more reference, freed with the
 * last one. Strings go to the stock kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

export function identityWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const x = args.inputs.x;
  if (x == null || x.dtype === 'string') return runWasm(args.backend, 'Identity', args.inputs);
  (args.backend as unknown as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
