/**
 * Exponential moving average of G's weights: θ_ema ← θ + decay·(θ_ema − θ).
 * Non-trainable weights (BatchNorm statistics) are copied, as StyleGAN does
 * with buffers: averaging them would pair averaged weights with stale stats.
 */
import * as tf from '@tensorflow/tfjs';
import { emaUpdate, fusedUpdatesAvailable } from '../backend/webgpu-fused';

export function updateEma(ema: tf.LayersModel, source: tf.LayersModel, decay: number): void {
  if (!(decay >= 0 && decay <= 1)) throw new RangeError(`EMA decay must be in [0, 1], got ${decay}`);
  // On webgpu one fused dispatch per weight instead of three (same formula, same float32 order).
  const fused = fusedUpdatesAvailable();
  tf.tidy(() => {
    source.weights.forEach((w, i) => {
      const target = ema.weights[i];
      const value = w.read();
      if (!w.trainable) target.write(value.clone());
      else if (fused) target.write(emaUpdate(value, target.read(), decay));
      else target.write(value.add(target.read().sub(value).mul(decay)));
    });
  });
}

/** Make `target`'s weights equal to `source`'s (same architecture). */
export function copyWeights(target: tf.LayersModel, source: tf.LayersModel): void {
  tf.tidy(() => source.weights.forEach((w, i) => target.weights[i].write(w.read().clone())));
}

/**
 * The decay to use t updates after the EMA started. With warm-up, the decay
 * starts near 0.1 and rises towards `decay` (TensorFlow's num_updates rule):
 * a fixed 0.999 from step 0 would keep samples close to G's random
 * initialisation for thousands of steps.
 */
export function emaDecayAt(decay: number, t: number, warmup: boolean): number {
  return warmup ? Math.min(decay, (1 + t) / (10 + t)) : decay;
}
