/**
 * Fused element-wise updates for the webgpu backend: one GPU dispatch where
 * the tfjs op chain takes several. Adam's update of one variable is 13 ops
 * (11 of them BinaryOpPrograms, each also uploading its scalar constant), the
 * EMA's is 3; on a small net these per-dispatch costs dominate a step. Here:
 *   - adamMoment: m ← c0·m + c1·g   or   v ← c0·v + c1·g²          (1 dispatch each)
 *   - adamParam:  θ ← θ − (m / (√v · invSqrtBc2 + ε)) · stepSize   (1 dispatch)
 *   - emaUpdate:  e ← θ + (e − θ) · decay                          (1 dispatch)
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

const program = (name: string, shape: number[], inputs: string[], uniforms: string[], body: string): FusedProgram =>
  new FusedUpdateProgram(name, shape, inputs, uniforms, body);

function run(p: FusedProgram, inputs: tf.Tensor[], values: number[]): tf.Tensor {
  for (const t of inputs) {
    if (t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, p.outputShape))
      throw new Error(`fused ${p.shaderKey}: inputs must be float32 of shape [${p.outputShape}]`);
  }
  const backend = tf.backend() as unknown as WebGpuRunner;
  // One uniform entry per scalar: each is then one f32, laid out as the WGSL struct declares it.
  const uniforms = values.map((v) => ({ type: 'float32' as const, data: [v] }));
  const info = backend.runWebGPUProgram(p, inputs, 'float32', uniforms);
  // Tracked by the engine like any op's result (tf.tidy disposes it).
  return tf.engine().makeTensorFromTensorInfo(info);
}

let fusedOn = true;

/** Switch the fused programs off (the op chains then run on webgpu too): for before/after counts in bench/. */
export function setFusedUpdates(on: boolean): void {
  fusedOn = on;
}

/** Whether the fused programs run: the active backend is webgpu (and they are not switched off). */
export function fusedUpdatesAvailable(): boolean {
  return fusedOn && tf.getBackend() === 'webgpu';
}

/** m·c0 + g·c1 (squareGrad: g²·c1), as `m.mul(c0).add(g.mul(c1))` or `…add(g.square().mul(c1))`. */
export function adamMoment(moment: tf.Tensor, grad: tf.Tensor, c0: number, c1: number, squareGrad: boolean): tf.Tensor {
  const g = squareGrad ? 'b * b' : 'b';
  const p = program(
    squareGrad ? 'adam_v' : 'adam_m',
    moment.shape,
    ['A', 'B'],
    ['c0', 'c1'],
    `setOutputAtIndex(index, a * uniforms.c0 + (${g}) * uniforms.c1);`,
  );
  return run(p, [moment, grad], [c0, c1]);
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
  const p = program(
    'adam_param',
    param.shape,
    ['A', 'B', 'C'],
    ['invSqrtBc2', 'epsilon', 'stepSize'],
    `let denom = sqrt(c) * uniforms.invSqrtBc2 + uniforms.epsilon;
          setOutputAtIndex(index, a - (b / denom) * uniforms.stepSize);`,
  );
  return run(p, [param, m, v], [invSqrtBc2, epsilon, stepSize]);
}

/** θ + (e − θ) · decay, as the EMA's `value.add(target.sub(value).mul(decay))`. */
export function emaUpdate(value: tf.Tensor, ema: tf.Tensor, decay: number): tf.Tensor {
  const p = program(
    'ema',
    value.shape,
    ['A', 'B'],
    ['decay'],
    `setOutputAtIndex(index, a + (b - a) * uniforms.decay);`,
  );
  return run(p, [value, ema], [decay]);
}
