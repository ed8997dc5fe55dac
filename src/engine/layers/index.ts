/**
 * The custom layers, defined once for the Node tfjs and registered with
 * tf.serialization, so checkpoints that hold them load with tf.loadLayersModel.
 * Importing this module is enough to register them.
 */
import * as tf from '@tensorflow/tfjs';
import { defineGanLayers } from './define';

export const GanLayers = defineGanLayers(tf);
export type GanSpectralNormLayer = InstanceType<typeof GanLayers.GanSpectralNorm>;
type GanNoiseDropoutLayer = InstanceType<typeof GanLayers.GanNoiseDropout>;
export type GanProjectionLayer = InstanceType<typeof GanLayers.GanProjection>;

/** Class names of the custom layers (as written in model.json). */
const CUSTOM_LAYER_NAMES: readonly string[] = Object.keys(GanLayers);

/** Every layer of a model, descending into nested models. */
function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  for (const l of model.layers) {
    if (l instanceof tf.LayersModel) out.push(...allLayers(l));
    else out.push(l);
  }
  return out;
}

/** The model's custom layer class names, in order of first use (empty: stock tfjs loads it as is). */
export function customLayersIn(model: tf.LayersModel): string[] {
  const names = new Set<string>();
  for (const l of allLayers(model)) if (CUSTOM_LAYER_NAMES.includes(l.getClassName())) names.add(l.getClassName());
  return [...names];
}

/** The dropout-noise layers of a model (G with g.dropout > 0). */
function noiseLayersOf(model: tf.LayersModel): GanNoiseDropoutLayer[] {
  return allLayers(model).filter((l): l is GanNoiseDropoutLayer => l instanceof GanLayers.GanNoiseDropout);
}

/**
 * Seed the dropout noise of a model's next forward pass with one seed for the
 * whole batch (training: layer i uses seed + i·7919): the same seed gives the
 * same masks. null: fresh random masks each call. Returns whether the model
 * has any noise layer. Generation seeds each image on its own instead, by
 * the seed rule (src/engine/generate/seed-rule.ts, seedNoise).
 */
export function setNoiseSeed(model: tf.LayersModel, seed: number | null): boolean {
  const layers = noiseLayersOf(model);
  layers.forEach((l, i) => (l.noiseSeed = seed == null ? null : (seed + i * 7919) >>> 0));
  return layers.length > 0;
}

export function spectralNormLayersOf(model: tf.LayersModel): GanSpectralNormLayer[] {
  return allLayers(model).filter((l): l is GanSpectralNormLayer => l instanceof GanLayers.GanSpectralNorm);
}

/** The projection heads of a model (conditional D with conditional.discriminator=projection). */
export function projectionLayersOf(model: tf.LayersModel): GanProjectionLayer[] {
  return allLayers(model).filter((l): l is GanProjectionLayer => l instanceof GanLayers.GanProjection);
}

type GanQuarterCropLayer = InstanceType<typeof GanLayers.GanQuarterCrop>;

/**
 * Choose the quarter (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right)
 * that fastgan D's part decoder sees in its next forward pass. Returns whether
 * the model has a quarter-crop layer.
 */
export function setCropQuarter(model: tf.LayersModel, quarter: number): boolean {
  if (!(Number.isInteger(quarter) && quarter >= 0 && quarter < 4))
    throw new RangeError(`quarter must be 0, 1, 2 or 3, got ${quarter}`);
  const layers = allLayers(model).filter((l): l is GanQuarterCropLayer => l instanceof GanLayers.GanQuarterCrop);
  for (const l of layers) l.quarter = quarter;
  return layers.length > 0;
}

/** A batch-norm layer's running statistics and the momentum its training-mode call updates them with. */
export interface BatchNormStats {
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  momentum: number;
}

/** The batch-norm layers of a model: tfjs's own and GanConditionalBatchNorm, in layer order. */
export function batchNormLayersOf(model: tf.LayersModel): BatchNormStats[] {
  return allLayers(model).filter(
    (l): l is tf.layers.Layer & BatchNormStats =>
      (l instanceof GanLayers.GanConditionalBatchNorm || l.getClassName() === 'BatchNormalization') &&
      (l as unknown as Partial<BatchNormStats>).movingMean != null,
  );
}
