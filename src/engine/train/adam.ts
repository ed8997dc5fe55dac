/**
 * Adam with a state we own: step count and moments, saved and restored
 * exactly. tfjs's AdamOptimizer rebuilds its β-power accumulators from the
 * iteration count on restore (pow instead of repeated products), which moves
 * the last bits, so a resumed run would drift from an uninterrupted one.
 * The update is PyTorch's: θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmAdamAvailable, wasmAdamUpdate } from '../backend/wasm-adam';
import { adamMoment, adamParam, fusedUpdatesAvailable } from '../backend/webgpu-fused';

/**
 * A zero-filled, non-trainable slot shaped like `x`. tf.variable shares the
 * data of the tensor it is made from and leaves that tensor alive: made
 * inside tidy, the zeros tensor goes and only the variable holds the data
 * (otherwise every optimizer slot leaked a tensor, 28 per dcgan-28 session).
 */
export function zeroSlot(x: tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(x), false));
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  /** PyTorch's default, not tfjs's 1e-7, so the two compare. */
  epsilon?: number;
}

export class Adam {
  readonly options: Required<AdamOptions>;
  /** Updates applied so far (t in the bias corrections). */
  step = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    private readonly vars: tf.Variable[],
    options: AdamOptions,
  ) {
    if (!(options.lr > 0)) throw new RangeError(`lr must be positive, got ${options.lr}`);
    if (!(options.beta1 >= 0 && options.beta1 < 1))
      throw new RangeError(`beta1 must be in [0, 1), got ${options.beta1}`);
    if (!(options.beta2 >= 0 && options.beta2 < 1))
      throw new RangeError(`beta2 must be in [0, 1), got ${options.beta2}`);
    this.options = { epsilon: 1e-8, ...options };
    this.m = vars.map((x) => zeroSlot(x));
    this.v = vars.map((x) => zeroSlot(x));
  }

  /** Apply one update; `grads[i]` is the gradient of `vars[i]`. Does not dispose the grads. */
  apply(grads: tf.Tensor[]): void {
    if (grads.length !== this.vars.length)
      throw new Error(`Adam: ${grads.length} gradients for ${this.vars.length} variables`);
    this.step += 1;
    const { lr, beta1, beta2, epsilon } = this.options;
    // Bias corrections in float64 on the host: exact and identical on every backend.
    const stepSize = lr / (1 - beta1 ** this.step);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** this.step);
    // On webgpu, 3 fused dispatches per variable instead of 13 (same formula, same float32 order).
    const fused = fusedUpdatesAvailable();
    // On wasm, one pass per variable with the op chain's float32 operations (same bits).
    const onWasm = !fused && wasmAdamAvailable();
    const f = Math.fround;
    const params = [f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), f(invSqrtBc2), f(epsilon), f(stepSize)];
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        const g = grads[i];
        if (onWasm && g.dtype === 'float32') {
          const [p, m, v] = wasmAdamUpdate(this.vars[i], this.m[i], this.v[i], g, params);
          this.m[i].assign(m);
          this.v[i].assign(v);
          this.vars[i].assign(p);
          continue;
        }
        if (fused) {
          const m = adamMoment(this.m[i], g, beta1, 1 - beta1, false);
          const v = adamMoment(this.v[i], g, beta2, 1 - beta2, true);
          this.m[i].assign(m);
          this.v[i].assign(v);
          this.vars[i].assign(adamParam(this.vars[i], m, v, invSqrtBc2, epsilon, stepSize));
          continue;
        }
        const m = this.m[i].mul(beta1).add(g.mul(1 - beta1));
        const v = this.v[i].mul(beta2).add(g.square().mul(1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const denom = v.sqrt().mul(invSqrtBc2).add(epsilon);
        this.vars[i].assign(this.vars[i].sub(m.div(denom).mul(stepSize)));
      }
    });
  }

  /** Moments by variable position (names differ between a model and its reloaded copy). */
  getState(): { step: number; tensors: tf.NamedTensorMap } {
    const tensors: tf.NamedTensorMap = {};
    this.m.forEach((t, i) => (tensors[`m/${i}`] = t));
    this.v.forEach((t, i) => (tensors[`v/${i}`] = t));
    return { step: this.step, tensors };
  }

  setState(step: number, tensors: tf.NamedTensorMap): void {
    for (const [kind, list] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      list.forEach((variable, i) => {
        const t = tensors[`${kind}/${i}`];
        if (!t) throw new Error(`optimizer state has no ${kind}/${i}`);
        if (!tf.util.arraysEqual(t.shape, variable.shape)) {
          throw new Error(`optimizer state ${kind}/${i} has shape [${t.shape}], expected [${variable.shape}]`);
        }
        variable.assign(t);
      });
    }
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
