/**
 * Forward 2-D convolutions on the relaxed-SIMD GEMM (./wasm-gemm.ts) for the wasm
 * backend: `Conv2D` and `FusedConv2D` (linear activation), and the forward
 * convolutions GAN Studio's own kernels run (Conv2DBackpropInput's phases,
 * Conv2DBackpropFilter's conv path), through `conv2dOnWasm`.
 *
 * The convolution is one GEMM over an indirection table of input runs (as XNNPACK
 * does), at ~1.4× XNNPACK's speed where the FMA GEMM runs. Shapes it does not suit
 * (few input or output channels, NCHW, non-float32) and machines without relaxed SIMD
 * keep the stock XNNPACK kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmGemm } from './wasm-gemm';
import { addBias, heapAddress, pair, runWasm, type KernelBackend, type TensorInfo } from './wasm-util';

/**
 * Fewer input channels than this make each tap's GEMM slice too short (the image
 * layers, Cin = 1 or 3), fewer output channels waste most of the 8-wide tile.
 */
const MIN_CIN = 16;
const MIN_COUT = 8;

/** Whether a convolution with these channel counts goes to the GEMM (where the GEMM runs at all). */
export function gemmSuitsConv(cin: number, cout: number): boolean {
  return cin >= MIN_CIN && cout >= MIN_COUT;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: tf.Conv2DAttrs['pad'];
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** x ⊛ filter (NHWC) on the GEMM, or null where it does not apply (the caller runs the stock kernel). */
function convViaGemm(backend: KernelBackend, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs): TensorInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) {
    return null;
  }
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') return null;
  const [N, H, W, Cin] = x.shape;
  const [kh, kw, fIn, Cout] = filter.shape;
  if (fIn !== Cin || !gemmSuitsConv(Cin, Cout)) return null;
  const gemm = wasmGemm(backend);
  if (gemm == null) return null;
  const dil = pair(attrs.dilations ?? 1);
  const info = tf.backend_util.computeConv2DInfo(
    [N, H, W, Cin],
    [kh, kw, Cin, Cout],
    attrs.strides,
    dil,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const wasm = backend as unknown as BackendWasm;
  const out = wasm.makeOutput([N, info.outHeight, info.outWidth, Cout], 'float32');
  const at = (t: TensorInfo): number => heapAddress(backend, t);
  gemm.conv2d(
    at(x),
    [N, H, W, Cin],
    at(filter),
    [kh, kw, Cout],
    at(out),
    [info.outHeight, info.outWidth],
    [info.strideHeight, info.strideWidth],
    [info.dilationHeight, info.dilationWidth],
    [info.padInfo.top, info.padInfo.left],
  );
  return out;
}

/** A forward Conv2D for GAN Studio's kernels: the GEMM where it applies, else the stock kernel. */
export function conv2dOnWasm(backend: KernelBackend, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs): TensorInfo {
  return (
    convViaGemm(backend, x, filter, attrs) ??
    runWasm(backend, 'Conv2D', { x, filter }, attrs as unknown as Record<string, unknown>)
  );
}

/** The registered `Conv2D` for wasm. */
export function conv2DWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as ConvAttrs;
  const { x, filter } = inputs;
  if (x == null || filter == null) throw new Error('Conv2D (wasm): inputs x and filter are required');
  return conv2dOnWasm(backend, x, filter, attrs);
}

/** The registered `FusedConv2D` for wasm: linear activation on the GEMM (+ bias by the stock Add), the rest stock. */
export function fusedConv2DWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: tf.NamedAttrMap;
}): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as ConvAttrs & { activation?: string };
  const { x, filter, bias, preluActivationWeights } = inputs;
  const linear = attrs.activation == null || attrs.activation === 'linear';
  const simple = linear && preluActivationWeights == null && x != null && filter != null;
  const conv = simple ? convViaGemm(backend, x, filter, attrs) : null;
  if (conv == null) {
    return runWasm(backend, 'FusedConv2D', inputs, attrs as unknown as Record<string, unknown>);
  }
  return bias == null ? conv : addBias(backend, conv, bias);
}
