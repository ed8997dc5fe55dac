/**
 * G-EMA's batch-norm statistics, recomputed for its own weights.
 *
 * G-EMA's weights are an average of G's past weights, but the running
 * statistics it would otherwise sample with are G's own (copied every step,
 * as StyleGAN does with buffers): the statistics of other weights. On
 * Fashion-MNIST that misfit cost up to 6 SWD at 2,000 steps (bench/README.md,
 * "Where ours loses"). The fix is the one torch.optim.swa_utils.update_bn
 * applies to averaged weights: run the averaged model in training mode over
 * fixed inputs and take the cumulative mean of its batch statistics.
 *
 * The inputs are a fixed set of latents from the run's seed, so the result
 * is a pure function of G-EMA's weights: a resumed run writes the same bytes
 * as one that never stopped. It is opt-in (ema.bnStats=recompute): measured
 * over two seeds it fixed the one bad misfit and was slightly worse elsewhere.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { batchNormLayersOf, setNoiseSeed } from '../layers';
import { generatorClassCount, generatorInputs, latentsFor } from '../models/inputs';
import { deriveSeed } from '../rng';

/**
 * Latents per recompute: 16 batches of 64. A recompute then costs about one training step of
 * dcgan-28 or dcgan-64 on wasm (one G forward pass per batch, no backward), about 1% at the
 * default sampleEvery of 100; the statistics of 1,024 images are as steady as a step's need.
 */
export const BN_STATS_SAMPLES = 1024;
const BATCH = 64;

/**
 * Replace the running statistics of every batch-norm layer of `model` by the
 * mean, over BN_STATS_SAMPLES fixed latents in batches of 64, of the batch
 * statistics its training-mode forward pass computes. Other non-trainable
 * weights (spectral norm's u) are left as they were. Returns false when the
 * model has no batch norm (nothing done).
 */
export function recomputeBatchNormStats(model: tf.LayersModel, config: TrainConfig): boolean {
  const layers = batchNormLayersOf(model);
  if (layers.length === 0) return false;
  const { latentDim, latentDist } = config.model;
  const z = latentsFor(deriveSeed(config.seed, 'ema/bn-stats/latents'), BN_STATS_SAMPLES, latentDim, latentDist);
  const k = Math.max(1, generatorClassCount(model));
  const statVars = new Set<tf.LayerVariable>(layers.flatMap((l) => [l.movingMean, l.movingVariance]));
  // A training-mode pass also steps spectral norm's power iteration; those weights must not move.
  const others = model.weights.filter((w) => !w.trainable && !statVars.has(w));
  const kept = others.map((w) => w.read().clone());
  // Sums stay on the backend: a synchronous read is not possible on webgpu.
  const sums = layers.map((l) => ({
    mean: tf.keep(tf.zerosLike(l.movingMean.read())),
    variance: tf.keep(tf.zerosLike(l.movingVariance.read())),
  }));
  const batches = BN_STATS_SAMPLES / BATCH;
  try {
    for (let b = 0; b < batches; b++) {
      // A running statistic s starts at 0, so the layer's update s ← m·s + (1 − m)·batch leaves (1 − m)·batch.
      tf.tidy(() => {
        for (const l of layers) {
          l.movingMean.write(tf.zerosLike(l.movingMean.read()));
          l.movingVariance.write(tf.zerosLike(l.movingVariance.read()));
        }
      });
      setNoiseSeed(model, deriveSeed(config.seed, `ema/bn-stats/dropout/${b}`));
      tf.tidy(() => {
        const zt = tf.tensor2d(z.subarray(b * BATCH * latentDim, (b + 1) * BATCH * latentDim), [BATCH, latentDim]);
        const classes = Int32Array.from({ length: BATCH }, (_, i) => (b * BATCH + i) % k);
        model.apply(generatorInputs(model, zt, classes), { training: true });
      });
      layers.forEach((l, i) => {
        const keep = 1 - l.momentum;
        const add = (sum: tf.Tensor, stat: tf.LayerVariable) => tf.keep(tf.tidy(() => sum.add(stat.read().div(keep))));
        const [mean, variance] = [add(sums[i].mean, l.movingMean), add(sums[i].variance, l.movingVariance)];
        sums[i].mean.dispose();
        sums[i].variance.dispose();
        sums[i] = { mean, variance };
      });
    }
    layers.forEach((l, i) =>
      tf.tidy(() => {
        l.movingMean.write(sums[i].mean.div(batches));
        l.movingVariance.write(sums[i].variance.div(batches));
      }),
    );
  } finally {
    others.forEach((w, i) => w.write(kept[i]));
    for (const t of [...kept, ...sums.flatMap((s) => [s.mean, s.variance])]) t.dispose();
  }
  return true;
}
