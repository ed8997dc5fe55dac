/**
 * GAN Studio's kernels for `@tensorflow/tfjs-backend-wasm` 4.22, registered for the
 * `wasm` backend only (native and cpu results never change):
 *
 * - `Conv2DBackpropFilter` (./wasm-conv-filter.ts): missing from the stock backend;
 *   one forward XNNPACK convolution of x (batch ↔ channels swapped) with dy as the
 *   filter, dilated by the strides (fallback: an im2col built by heap copies + one matMul).
 * - `Conv2DBackpropInput` (./wasm-conv-input.ts): replaces the stock plain-loop kernel
 *   with stride² forward XNNPACK convolutions (sub-pixel decomposition).
 * - `BatchMatMul` (./wasm-matmul.ts): transposeA/B as an explicit transpose + a plain product;
 *   on the relaxed-SIMD FMA GEMM (./wasm-gemm.ts) where it runs; `_FusedMatMul` (dense
 *   layers, linear activation) on it too.
 * - `Conv2D`, `FusedConv2D` (./wasm-conv-gemm.ts): on the FMA GEMM over an indirection
 *   table where it runs and the shape suits it (linear activation only), else stock.
 * - `Tile` (./wasm-tile.ts): block copies (BatchNorm's gradient broadcasts with it).
 * - `Sum`, `Mean` (./wasm-reduce.ts): reductions over leading axes without a transpose.
 * - `LeakyRelu` (./wasm-elementwise.ts): relu(x)·(1−α) + α·x with XNNPACK's SIMD
 *   element-wise kernels (the stock one is a scalar loop, ~10× slower).
 *
 * - `Identity`, and `Cast` to x's own dtype (./wasm-identity.ts): share x's data (as Reshape does)
 *   instead of copying it.
 * - `GanStudioLeakyReluGrad` (./wasm-elementwise.ts): LeakyRelu's gradient in one pass.
 * - `GanStudioAdam` (./wasm-adam.ts): one Adam update per variable in one pass.
 * - `FusedBatchNorm` (./wasm-batchnorm.ts): per-channel normalisation in SIMD.
 * - `Add`, `Sub`, `Multiply`, `RealDiv`, `Square` (./wasm-binary.ts): float32, same shape, scalar or
 *   trailing-vector broadcasts, on the module (not through XNNPACK's pthreadpool); same bits.
 *
 * Plus, through ./wasm-gradients.ts, LeakyRelu's gradient as dy · Step(x, α) while wasm
 * is the active backend (tfjs's Greater + Select elsewhere).
 *
 * Each kernel is composed from stock wasm kernels at the backend level plus plain
 * copies on the wasm heap, with every intermediate freed through `backend.disposeData`,
 * and is checked against the `cpu` backend in tests/engine/backend.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasm } from './wasm-conv-filter';
import { conv2DWasm, fusedConv2DWasm } from './wasm-conv-gemm';
import { conv2DBackpropInputWasm } from './wasm-conv-input';
import { prepareFusedKernels } from './fused-gradients';
import { LEAKY_RELU_GRAD, leakyReluGradWasm, leakyReluWasm } from './wasm-elementwise';
import { registerWasmLeakyReluGradient, setWasmLeakyReluGradient } from './wasm-gradients';
import { batchMatMulWasm, fusedMatMulWasm } from './wasm-matmul';
import { meanWasm, sumWasm } from './wasm-reduce';
import { tileWasm } from './wasm-tile';
import { castWasm, identityWasm } from './wasm-identity';
import { ADAM_KERNEL, adamWasm } from './wasm-adam';
import { fusedBatchNormWasm } from './wasm-batchnorm';
import { addWasm, multiplyWasm, realDivWasm, squareWasm, subWasm } from './wasm-binary';
import { saveStockKernel } from './wasm-util';

export {
  conv2DBackpropFilterWasm,
  setConvFilterPadOnModule,
  setConvFilterStrategyForTests,
  setIm2colBudgetForTests,
  type ConvFilterStrategy,
} from './wasm-conv-filter';
export { conv2DBackpropInputWasm, setConvInputStrategyForTests, type ConvInputStrategy } from './wasm-conv-input';
export { leakyReluWasm } from './wasm-elementwise';
export { batchMatMulWasm } from './wasm-matmul';
export { meanWasm, sumWasm } from './wasm-reduce';
export { tileWasm } from './wasm-tile';

interface Extra {
  name: string;
  kernelFunc: tf.KernelFunc;
  /** true: replaces a stock wasm kernel (kept for `setStockWasmKernels`); false: fills a gap. */
  replaces: boolean;
}

const EXTRAS: Extra[] = [
  { name: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc, replaces: false },
  { name: 'Conv2DBackpropInput', kernelFunc: conv2DBackpropInputWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'BatchMatMul', kernelFunc: batchMatMulWasm as unknown as tf.KernelFunc, replaces: true },
  { name: '_FusedMatMul', kernelFunc: fusedMatMulWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Conv2D', kernelFunc: conv2DWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'FusedConv2D', kernelFunc: fusedConv2DWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Tile', kernelFunc: tileWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Sum', kernelFunc: sumWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Mean', kernelFunc: meanWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'LeakyRelu', kernelFunc: leakyReluWasm as unknown as tf.KernelFunc, replaces: true },
  { name: LEAKY_RELU_GRAD, kernelFunc: leakyReluGradWasm as unknown as tf.KernelFunc, replaces: false },
  { name: 'FusedBatchNorm', kernelFunc: fusedBatchNormWasm as unknown as tf.KernelFunc, replaces: true },
  { name: ADAM_KERNEL, kernelFunc: adamWasm as unknown as tf.KernelFunc, replaces: false },
  { name: 'Identity', kernelFunc: identityWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Cast', kernelFunc: castWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Add', kernelFunc: addWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Sub', kernelFunc: subWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Multiply', kernelFunc: multiplyWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'RealDiv', kernelFunc: realDivWasm as unknown as tf.KernelFunc, replaces: true },
  { name: 'Square', kernelFunc: squareWasm as unknown as tf.KernelFunc, replaces: true },
];

let registered = false;

function register(
  name: string,
  kernelFunc: tf.KernelFunc,
  setupFunc?: tf.KernelSetupFunc,
  disposeFunc?: tf.KernelDisposeFunc,
): void {
  if (tf.getKernel(name, 'wasm') != null) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc, setupFunc, disposeFunc });
}

/**
 * Registers GAN Studio's wasm kernels (idempotent). A missing kernel that the wasm
 * backend already has (a newer tfjs) is left alone; a replaced stock kernel is kept,
 * and its setup function still runs when the backend initialises (our kernels call
 * the stock ones). Returns the names registered by this call.
 */
export function registerWasmKernels(): string[] {
  const added: string[] = [];
  if (registered) return added;
  for (const e of EXTRAS) {
    const stock = saveStockKernel(e.name);
    if (!e.replaces && stock != null) continue;
    register(e.name, e.kernelFunc, stock?.setupFunc, stock?.disposeFunc);
    added.push(e.name);
  }
  registerWasmLeakyReluGradient();
  registered = true;
  return added;
}

/**
 * For benchmarks and tests: `true` puts the stock wasm kernels back wherever GAN Studio
 * replaced one (kernels the stock backend lacks stay) and tfjs's LeakyRelu gradient,
 * `false` re-installs ours.
 */
export function setStockWasmKernels(stock: boolean): void {
  registerWasmKernels();
  setWasmLeakyReluGradient(!stock);
  for (const e of EXTRAS) {
    if (!e.replaces) continue;
    const s = saveStockKernel(e.name);
    if (s == null) continue;
    if (stock) register(e.name, s.kernelFunc, s.setupFunc, s.disposeFunc);
    else register(e.name, e.kernelFunc, s.setupFunc, s.disposeFunc);
  }
  // Keep the fused kernels' wrappers (./fused-gradients.ts) in place over whatever is registered now.
  prepareFusedKernels('wasm');
}
