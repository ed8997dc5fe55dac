/**
 * The optimizers a run can use, all with a state we own (moments by variable
 * position plus a step count), saved and restored bit for bit, like ./adam.ts:
 * - Adam (./adam.ts), PyTorch's update.
 * - RMSProp, PyTorch's (no momentum, not centred):
 *     s ← ρ·s + (1−ρ)·g²,   θ ← θ − lr·g / (√s + ε)
 * - SGD with optional momentum, PyTorch's:
 *     b ← μ·b + g (b = g on the first step),   θ ← θ − lr·b
 */
import * as tf from '@tensorflow/tfjs';
import { adamMoment, fusedUpdatesAvailable, momentumBuffer, rmspropParam, sgdParam } from '../backend/webgpu-fused';
import { Adam, zeroSlot } from './adam';

/** What the training loop and checkpoints need from an optimizer. */
export interface Optimizer {
  /** Updates applied so far. */
  step: number;
  apply(grads: tf.Tensor[]): void;
  getState(): { step: number; tensors: tf.NamedTensorMap };
  setState(step: number, tensors: tf.NamedTensorMap): void;
  dispose(): void;
}

export interface OptimizerOptions {
  optimizer: 'adam' | 'rmsprop' | 'sgd';
  lr: number;
  beta1: number;
  beta2: number;
  rho: number;
  momentum: number;
}

export function makeOptimizer(vars: tf.Variable[], o: OptimizerOptions): Optimizer {
  switch (o.optimizer) {
    case 'adam':
      return new Adam(vars, { lr: o.lr, beta1: o.beta1, beta2: o.beta2 });
    case 'rmsprop':
      return new RMSProp(vars, { lr: o.lr, rho: o.rho });
    case 'sgd':
      return new SGD(vars, { lr: o.lr, momentum: o.momentum });
  }
}

/** Restore named per-variable slots `${kind}/${i}`, checking shapes. */
function restoreSlots(kind: string, slots: tf.Variable[], tensors: tf.NamedTensorMap): void {
  slots.forEach((variable, i) => {
    const t = tensors[`${kind}/${i}`];
    if (!t) throw new Error(`optimizer state has no ${kind}/${i}`);
    if (!tf.util.arraysEqual(t.shape, variable.shape))
      throw new Error(`optimizer state ${kind}/${i} has shape [${t.shape}], expected [${variable.shape}]`);
    variable.assign(t);
  });
}

export class RMSProp implements Optimizer {
  step = 0;
  readonly options: { lr: number; rho: number; epsilon: number };
  private readonly s: tf.Variable[];

  constructor(
    private readonly vars: tf.Variable[],
    options: { lr: number; rho: number; epsilon?: number },
  ) {
    if (!(options.lr > 0)) throw new RangeError(`lr must be positive, got ${options.lr}`);
    if (!(options.rho >= 0 && options.rho < 1)) throw new RangeError(`rho must be in [0, 1), got ${options.rho}`);
    this.options = { epsilon: 1e-8, ...options };
    this.s = vars.map((x) => zeroSlot(x));
  }

  apply(grads: tf.Tensor[]): void {
    if (grads.length !== this.vars.length)
      throw new Error(`RMSProp: ${grads.length} gradients for ${this.vars.length} variables`);
    this.step += 1;
    const { lr, rho, epsilon } = this.options;
    // On webgpu, 2 fused dispatches per variable instead of 9 (same formula, same float32 order).
    const fused = fusedUpdatesAvailable();
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        const g = grads[i];
        if (fused) {
          const s = adamMoment(this.s[i], g, rho, 1 - rho, true);
          this.s[i].assign(s);
          this.vars[i].assign(rmspropParam(this.vars[i], g, s, epsilon, lr));
          continue;
        }
        const s = this.s[i].mul(rho).add(g.square().mul(1 - rho));
        this.s[i].assign(s);
        this.vars[i].assign(this.vars[i].sub(g.div(s.sqrt().add(epsilon)).mul(lr)));
      }
    });
  }

  getState(): { step: number; tensors: tf.NamedTensorMap } {
    const tensors: tf.NamedTensorMap = {};
    this.s.forEach((t, i) => (tensors[`s/${i}`] = t));
    return { step: this.step, tensors };
  }

  setState(step: number, tensors: tf.NamedTensorMap): void {
    restoreSlots('s', this.s, tensors);
    this.step = step;
  }

  dispose(): void {
    for (const t of this.s) t.dispose();
  }
}

export class SGD implements Optimizer {
  step = 0;
  readonly options: { lr: number; momentum: number };
  private readonly b: tf.Variable[];

  constructor(
    private readonly vars: tf.Variable[],
    options: { lr: number; momentum: number },
  ) {
    if (!(options.lr > 0)) throw new RangeError(`lr must be positive, got ${options.lr}`);
    if (!(options.momentum >= 0 && options.momentum < 1))
      throw new RangeError(`momentum must be in [0, 1), got ${options.momentum}`);
    this.options = { ...options };
    this.b = options.momentum > 0 ? vars.map((x) => zeroSlot(x)) : [];
  }

  apply(grads: tf.Tensor[]): void {
    if (grads.length !== this.vars.length)
      throw new Error(`SGD: ${grads.length} gradients for ${this.vars.length} variables`);
    this.step += 1;
    const { lr, momentum } = this.options;
    // On webgpu, one fused dispatch per update instead of two ops each (same formula, same float32 order).
    const fused = fusedUpdatesAvailable();
    tf.tidy(() => {
      for (let i = 0; i < this.vars.length; i++) {
        let d = grads[i];
        if (momentum > 0) {
          if (this.step > 1) d = fused ? momentumBuffer(this.b[i], d, momentum) : this.b[i].mul(momentum).add(d);
          this.b[i].assign(d);
        }
        this.vars[i].assign(fused ? sgdParam(this.vars[i], d, lr) : this.vars[i].sub(d.mul(lr)));
      }
    });
  }

  getState(): { step: number; tensors: tf.NamedTensorMap } {
    const tensors: tf.NamedTensorMap = {};
    this.b.forEach((t, i) => (tensors[`b/${i}`] = t));
    return { step: this.step, tensors };
  }

  setState(step: number, tensors: tf.NamedTensorMap): void {
    restoreSlots('b', this.b, tensors);
    this.step = step;
  }

  dispose(): void {
    for (const t of this.b) t.dispose();
  }
}
