/**
 * Fused element-wise updates for the webgpu backend: one GPU dispatch where
 * the tfjs op chain takes several. Adam's update of one variable is 13 ops
 * (11 of them BinaryOpPrograms, each also uploading its scalar constant), the
 * EMA's is 3; on a small net these per-dispatch costs dominate a step. Here:
 *   - adamMoment: m ← c0·m + c1·g   or   v ← c0·v + c1·g²          (1 dispatch each)
 *   - adamParam:  θ ← θ − (m / (√v · invSqrtBc2 + ε)) · stepSize   (1 dispatch)
 *   - emaUpdate:  e ← θ + (e − θ) · decay                          (1 dispatch)
 * RMSProp (9 ops) and SGD with momentum (4 ops) get the same treatment:
 *   - RMSProp: s ← c0·s + c1·g² (adamMoment), then
 *              rmspropParam: θ ← θ − (g / (√s + ε)) · lr           (2 dispatches)
 *   - SGD:     momentumBuffer: b ← b·μ + g (from the second step), then
 *              sgdParam: θ ← θ − d · lr                            (1 or 2 dispatches)
 * The scalars are uniforms, not uploaded tensors. Each formula keeps the tfjs
 * chain's order of float32 operations (tests/engine/webgpu/fused.test.ts
 * checks them against the cpu backend's op chains).
 */
import * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-webgpu's program interface these programs fill in. */
interface FusedProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  getUserCode(): string;
}

interface WebGpuRunner {
  runWebGPUProgram(
    program: FusedProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms: { type: 'float32'; data: number[] }[],
  ): tf.TensorInfo;
}

const WORKGROUP = 128;

/** One output element per invocation, from same-shape float32 inputs (a class: profiles name programs by class). */
class FusedUpdateProgram implements FusedProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  variableNames: string[];
  workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  size = true;
  uniforms: string;

  constructor(
    name: string,
    shape: number[],
    inputs: string[],
    uniforms: string[],
    private readonly body: string,
  ) {
    this.outputShape = shape;
    this.shaderKey = `gan_${name}`;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = [Math.ceil(tf.util.sizeFromShape(shape) / WORKGROUP), 1, 1];
    this.variableNames = inputs;
    this.uniforms = uniforms.map((u) => `${u} : f32,`).join(' ');
  }

  getUserCode(): string {
    const reads = this.variableNames.map((v) => `let ${v.toLowerCase()} = get${v}ByOutputIndex(index);`);
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${reads.join('\n          ')}
          ${this.body}
        }
      }`;
  }
}

/**
 * Each fused update is a registered webgpu kernel, so that it runs through the
 * engine like any op: tf.profile lists it by name and times it (GPU timestamps),
 * and the engine tracks its output. `values` are its scalars, as uniforms.
 */
interface UpdateKernel {
  /** Input names, in the order the WGSL body reads them (a, b, c). */
  inputs: string[];
  uniforms: string[];
  /** WGSL statements that end in setOutputAtIndex(index, …). */
  body: string;
}

const KERNELS: Record<string, UpdateKernel> = {
  GanMoment: {
    inputs: ['A', 'B'],
    uniforms: ['c0', 'c1'],
    body: 'setOutputAtIndex(index, a * uniforms.c0 + b * uniforms.c1);',
  },
  GanSquaredMoment: {
    inputs: ['A', 'B'],
    uniforms: ['c0', 'c1'],
    body: 'setOutputAtIndex(index, a * uniforms.c0 + (b * b) * uniforms.c1);',
  },
  GanAdamParam: {
    inputs: ['A', 'B', 'C'],
    uniforms: ['invSqrtBc2', 'epsilon', 'stepSize'],
    body: `let denom = sqrt(c) * uniforms.invSqrtBc2 + uniforms.epsilon;
          setOutputAtIndex(index, a - (b / denom) * uniforms.stepSize);`,
  },
  GanRmspropParam: {
    inputs: ['A', 'B', 'C'],
    uniforms: ['epsilon', 'lr'],
    body: 'setOutputAtIndex(index, a - (b / (sqrt(c) + uniforms.epsilon)) * uniforms.lr);',
  },
  GanMomentumBuffer: {
    inputs: ['A', 'B'],
    uniforms: ['momentum'],
    body: 'setOutputAtIndex(index, a * uniforms.momentum + b);',
  },
  GanSgdParam: { inputs: ['A', 'B'], uniforms: ['lr'], body: 'setOutputAtIndex(index, a - b * uniforms.lr);' },
  GanEma: { inputs: ['A', 'B'], uniforms: ['decay'], body: 'setOutputAtIndex(index, a + (b - a) * uniforms.decay);' },
};

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: unknown };

function kernelFunc(name: string, k: UpdateKernel) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const list = k.inputs.map((v) => {
      const t = inputs[v.toLowerCase()];
      if (t == null) throw new Error(`${name}: input ${v.toLowerCase()} is missing`);
      return t;
    });
    const values = (attrs as { values: number[] }).values;
    const p = new FusedUpdateProgram(name, list[0].shape, k.inputs, k.uniforms, k.body);
    // One uniform entry per scalar: each is then one f32, laid out as the WGSL struct declares it.
    const uniforms = values.map((v) => ({ type: 'float32' as const, data: [v] }));
    return (backend as unknown as WebGpuRunner).runWebGPUProgram(p, list, 'float32', uniforms);
  };
}

let registered = false;

/** Registers the fused update kernels for webgpu (once tfjs-backend-webgpu is imported). */
export function registerFusedUpdateKernels(): void {
  if (registered) return;
  for (const [name, k] of Object.entries(KERNELS))
    tf.registerKernel({
      kernelName: name,
      backendName: 'webgpu',
      kernelFunc: kernelFunc(name, k) as unknown as tf.KernelFunc,
    });
  registered = true;
}

function run(name: keyof typeof KERNELS, inputs: tf.Tensor[], values: number[]): tf.Tensor {
  const shape = inputs[0].shape;
  for (const t of inputs) {
    if (t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, shape))
      throw new Error(`fused ${name}: inputs must be float32 of one shape, got [${t.shape}] and [${shape}]`);
  }
  const named: tf.NamedTensorMap = {};
  KERNELS[name].inputs.forEach((v, i) => (named[v.toLowerCase()] = inputs[i]));
  return tf.engine().runKernel(name, named, { values } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

let fusedOn = true;

/** Switch the fused programs off (the op chains then run on webgpu too): for before/after counts in bench/. */
export function setFusedUpdates(on: boolean): void {
  fusedOn = on;
}

/** Whether the fused programs run: the active backend is webgpu (and they are not switched off). */
export function fusedUpdatesAvailable(): boolean {
  return fusedOn && registered && tf.getBackend() === 'webgpu';
}

/** m·c0 + g·c1 (squareGrad: g²·c1), as `m.mul(c0).add(g.mul(c1))` or `…add(g.square().mul(c1))`. */
export function adamMoment(moment: tf.Tensor, grad: tf.Tensor, c0: number, c1: number, squareGrad: boolean): tf.Tensor {
  return run(squareGrad ? 'GanSquaredMoment' : 'GanMoment', [moment, grad], [c0, c1]);
}

/** θ − (m / (√v · invSqrtBc2 + ε)) · stepSize, as Adam's `vars[i].sub(m.div(denom).mul(stepSize))`. */
export function adamParam(
  param: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  invSqrtBc2: number,
  epsilon: number,
  stepSize: number,
): tf.Tensor {
  return run('GanAdamParam', [param, m, v], [invSqrtBc2, epsilon, stepSize]);
}

/** θ + (e − θ) · decay, as the EMA's `value.add(target.sub(value).mul(decay))`. */
export function emaUpdate(value: tf.Tensor, ema: tf.Tensor, decay: number): tf.Tensor {
  return run('GanEma', [value, ema], [decay]);
}

/** θ − (g / (√s + ε)) · lr, as RMSProp's `vars[i].sub(g.div(s.sqrt().add(epsilon)).mul(lr))`. */
export function rmspropParam(param: tf.Tensor, grad: tf.Tensor, s: tf.Tensor, epsilon: number, lr: number): tf.Tensor {
  return run('GanRmspropParam', [param, grad, s], [epsilon, lr]);
}

/** b·μ + g, as SGD's momentum buffer `b.mul(momentum).add(g)`. */
export function momentumBuffer(buffer: tf.Tensor, grad: tf.Tensor, momentum: number): tf.Tensor {
  return run('GanMomentumBuffer', [buffer, grad], [momentum]);
}

/** θ − d · lr, as SGD's `vars[i].sub(d.mul(lr))`. */
export function sgdParam(param: tf.Tensor, direction: tf.Tensor, lr: number): tf.Tensor {
  return run('GanSgdParam', [param, direction], [lr]);
}
