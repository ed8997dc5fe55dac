/**
 * Lazy gradients for tfjs's fused conv2d and matMul ops, which every tfjs-layers
 * `Conv2D` and `Dense` layer runs through (`tf.fused.conv2d`, `tf.fused.matMul`).
 *
 * tfjs 4.22 builds both with `customGrad`, whose gradient function computes the
 * gradient of EVERY input at once; the tape then uses only those it needs. So a GAN
 * step computed and threw away D's weight gradients in every G step (only G is
 * trained there), the input gradient of D's first layer in every D step (the images)
 * and of G's first layer (z). On dcgan-64 that is one of the four
 * Conv2DBackpropFilter calls of every D layer and two of the five image-sized
 * Conv2DBackpropInput calls, about 8 % of a step's FLOPs; torch's
 * `autograd.grad(loss, params)` (bench/torch-peer.py) skips them.
 *
 * The tape names a customGrad node after the op's scope (`fusedConv2d__op`,
 * `fusedMatMul__op`), and a gradient registered under that name replaces the
 * customGrad one (tfjs engine `addTapeNode`). Ours returns one closure per input, as
 * every registered gradient does, so the tape runs only the ones it needs. Each
 * closure runs exactly the ops tfjs's own gradient runs for that input, on the same
 * tensors, so every gradient is bit-identical to before (and higher-order gradients
 * still work: the closures are ordinary differentiable ops).
 *
 * A customGrad node has no attributes (strides, pad, transposes), so each backend's
 * `FusedConv2D` / `_FusedMatMul` kernel is wrapped to remember the attributes of its
 * call, keyed by the output's dataId, which the saved output `y` shares. Under a
 * tape tfjs fuses only with a linear activation (`shouldFuse`), so dy passes
 * through unchanged, as in tfjs's gradient. Backend-agnostic.
 */
import * as tf from '@tensorflow/tfjs';

/** One closure per input, by input index (what a registered gradient returns). */
type GradientMap = Record<string, () => tf.Tensor>;

const CONV_OP = 'fusedConv2d__op';
const MATMUL_OP = 'fusedMatMul__op';
const CONV_KERNEL = 'FusedConv2D';
const MATMUL_KERNEL = '_FusedMatMul';

/** Attributes of each fused kernel call, by its output's dataId (dies with the data). */
const attrsByOutput = new WeakMap<object, tf.NamedAttrMap>();
/** Our kernel wrappers, to tell a wrapped kernel from one registered again since. */
const wrappers = new WeakSet<tf.KernelFunc>();
let gradientsRegistered = false;
let lazy = true;

/**
 * For benchmarks: false computes every input's gradient at once again, as tfjs's
 * customGrad does (the "before" of this module), true (the default) only those used.
 */
export function setLazyFusedGradients(on: boolean): void {
  lazy = on;
}

/** Eager mode: run every closure now (what tfjs's customGrad did), hand out the results. */
function maybeEager(grads: GradientMap): GradientMap {
  if (lazy) return grads;
  const out: GradientMap = {};
  for (const [k, f] of Object.entries(grads)) {
    const t = f();
    out[k] = () => t;
  }
  return out;
}

function firstOutput(out: tf.TensorInfo | tf.TensorInfo[]): object | undefined {
  const id = (Array.isArray(out) ? out[0] : out)?.dataId as unknown;
  return id != null && typeof id === 'object' ? id : undefined;
}

/** Re-registers `kernelName` of `backendName` with `note` called after each call (idempotent). */
function wrapKernel(
  kernelName: string,
  backendName: string,
  note: (args: Parameters<tf.KernelFunc>[0], out: object) => void,
): void {
  const current = tf.getKernel(kernelName, backendName);
  if (current == null || wrappers.has(current.kernelFunc)) return;
  const inner = current.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const out = inner(args);
    const id = firstOutput(out as tf.TensorInfo | tf.TensorInfo[]);
    if (id != null) note(args, id);
    return out;
  };
  wrappers.add(kernelFunc);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...current, kernelFunc });
}

const recordAttrs = (args: Parameters<tf.KernelFunc>[0], out: object): void => {
  attrsByOutput.set(out, args.attrs ?? {});
};

/** The saved copy of y (tfjs saves a clone, an Identity that some backends copy) keeps y's attributes. */
const passAttrs = (args: Parameters<tf.KernelFunc>[0], out: object): void => {
  const x = args.inputs.x as tf.TensorInfo | undefined;
  const attrs = x == null ? undefined : attrsByOutput.get(x.dataId as object);
  if (attrs != null && out !== x?.dataId) attrsByOutput.set(out, attrs);
};

/**
 * Wraps the fused kernels (and Identity) of `backendName`; idempotent, and again after
 * one of them was registered anew (setStockWasmKernels). A backend without them is skipped.
 */
export function prepareFusedKernels(backendName: string): void {
  wrapKernel(CONV_KERNEL, backendName, recordAttrs);
  wrapKernel(MATMUL_KERNEL, backendName, recordAttrs);
  wrapKernel('Identity', backendName, passAttrs);
}

function attrsOf(y: tf.Tensor, kernelName: string): tf.NamedAttrMap {
  const attrs = attrsByOutput.get(y.dataId as object);
  if (attrs == null) {
    throw new Error(
      `gradient of ${kernelName}: the attributes of its forward call are unknown (backend '${tf.getBackend()}' was set up without registerLazyFusedGradients)`,
    );
  }
  const activation = attrs.activation as string | undefined;
  if (activation != null && activation !== 'linear') {
    // tfjs fuses an activation only outside a gradient tape (shouldFuse), so this cannot be taped.
    throw new Error(`gradient of ${kernelName}: fused activation '${activation}' is not supported`);
  }
  return attrs;
}

/** tfjs's getFusedBiasGradient: dy summed over the axes the bias was broadcast along. */
function biasGradient(bias: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(bias.shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, bias.shape);
}

function convGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): GradientMap {
  const d = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor4D;
  const [filter, x4D, y, bias] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor | undefined];
  const attrs = attrsOf(y, CONV_KERNEL) as unknown as tf.FusedConv2DAttrs;
  const { strides, pad } = attrs;
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') {
    throw new Error(
      `Error in gradient of fused conv2D: got dataFormat of ${attrs.dataFormat} but only NHWC is supported.`,
    );
  }
  const dil = attrs.dilations ?? 1;
  if (!(Array.isArray(dil) ? dil.every((v) => v === 1) : dil === 1)) {
    throw new Error(`Error in gradient of fused conv2D: dilation rates greater than 1 are not supported in gradients.`);
  }
  // The same ops as tfjs's gradient: conv2DBackpropInput(x.shape, dy, filter, strides, pad)
  // (conv2dTranspose is that op) and conv2DBackpropFilter(x, dy, filter.shape, strides, pad).
  const grads: GradientMap = {
    0: () => tf.conv2dTranspose(d, filter, x4D.shape, strides, pad),
    1: () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: x4D, dy: d }, {
        strides,
        pad,
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
        filterShape: filter.shape,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
  };
  if (bias != null) grads[2] = () => biasGradient(bias, d);
  return maybeEager(grads);
}

function matMulGradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): GradientMap {
  const [a3D, b3D, y, bias] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor | undefined];
  const attrs = attrsOf(y, MATMUL_KERNEL) as unknown as { transposeA?: boolean; transposeB?: boolean };
  const tA = attrs.transposeA === true;
  const tB = attrs.transposeB === true;
  // tfjs reshapes dy to y's shape first (the op's value is y reshaped to the output shape).
  const d = tf.reshape(Array.isArray(dy) ? dy[0] : dy, y.shape);
  // The four cases of tfjs's fused matMul gradient, each input's product on its own.
  const grads: GradientMap = {
    0: () =>
      !tA && !tB
        ? tf.matMul(d, b3D, false, true)
        : !tA && tB
          ? tf.matMul(d, b3D, false, false)
          : tA && !tB
            ? tf.matMul(b3D, d, false, true)
            : tf.matMul(b3D, d, true, true),
    1: () =>
      !tA && !tB
        ? tf.matMul(a3D, d, true, false)
        : !tA && tB
          ? tf.matMul(d, a3D, true, false)
          : tA && !tB
            ? tf.matMul(a3D, d, false, false)
            : tf.matMul(d, a3D, true, true),
  };
  if (bias != null) grads[2] = () => biasGradient(bias, d);
  return maybeEager(grads);
}

/**
 * Makes the fused ops' gradients lazy (idempotent): wraps the fused kernels of every
 * registered backend and of the active one, and registers the two gradients once.
 * Call again after a backend is registered later (activateBackend does).
 */
export function registerLazyFusedGradients(): void {
  for (const name of Object.keys(tf.engine().registryFactory)) prepareFusedKernels(name);
  const active = tf.engine().backendName;
  if (active != null) prepareFusedKernels(active);
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  tf.registerGradient({ kernelName: CONV_OP, gradFunc: convGradient });
  tf.registerGradient({ kernelName: MATMUL_OP, gradFunc: matMulGradient });
}
