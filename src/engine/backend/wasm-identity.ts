/**
 * `Identity` for the wasm backend without a copy.
 *
 * The stock wasm Identity copies x into a new buffer. tfjs calls it for every clone,
 * and a training step makes many (saved inputs of the gradient tape, BatchNorm
 * statistics kept around a step, casts to the same dtype): on dcgan-64, 18 copies of a
 * 64×32×32×64 map per step, ~75 ms. Tensor data is never written in place (every kernel
 * makes a new output), so the clone can share x's data with one more reference, as the
 * stock Reshape does and as the cpu backend's Identity does. Strings keep the stock kernel,
 * and so does everything where GAN Studio's wasm module is off (./wasm-gemm.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { wasmElementwise } from './wasm-gemm';
import { runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

export function identityWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x;
  if (x == null || x.dtype === 'string' || wasmElementwise(backend) == null)
    return runWasm(backend, 'Identity', inputs);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** `Cast` to the dtype x already has is a clone too (tfjs layers cast their float32 inputs to float32): shared, not copied. */
export function castWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const x = inputs.x;
  const dtype = (args.attrs as unknown as tf.CastAttrs | undefined)?.dtype;
  if (x == null || dtype !== x.dtype || x.dtype === 'string' || wasmElementwise(backend) == null) {
    return runWasm(backend, 'Cast', inputs, args.attrs as Record<string, unknown>);
  }
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
