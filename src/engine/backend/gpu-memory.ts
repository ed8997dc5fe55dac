/**
 * "Is my GPU big enough?": an estimate, before training, of the GPU memory one
 * training step of a config needs at its batch size, and a refusal, naming the
 * largest batch that fits, when it cannot fit.
 *
 * Two limits are checked. The device's own limit on one buffer
 * (maxStorageBufferBindingSize, maxBufferSize) is exact: the largest activation of
 * the step must fit in one buffer. The total is an estimate against a budget: WebGPU
 * does not tell how much memory a GPU has, so the budget is GAN_STUDIO_GPU_MEMORY
 * (e.g. "8GB", "512MiB") when the user sets it, and unchecked otherwise.
 */
import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';

export interface MemoryModels {
  g: tf.LayersModel;
  d: tf.LayersModel;
  gEma: tf.LayersModel | null;
}

export interface MemoryEstimate {
  batch: number;
  /** Estimated peak bytes of one training step at this batch. */
  bytes: number;
  /** Bytes that do not grow with the batch: weights, gradients, optimizer slots, EMA. */
  fixedBytes: number;
  /** Bytes each image of the batch adds (activations kept for the backward passes, their gradients). */
  perImageBytes: number;
  /** The largest single activation at this batch, in bytes: it must fit in one GPU buffer. */
  largestTensorBytes: number;
}

const FLOAT = 4;

/**
 * The model's coefficients, calibrated on SwiftShader against what tfjs-webgpu
 * really allocates (src/engine/backend/webgpu-buffers.ts, bench/gpu-memory.ts;
 * buffer sizes do not depend on the GPU). tfjs-webgpu pools every freed buffer
 * by its exact size and never gives it back, so what a step needs is its live
 * tensors plus one or two spares of every size it makes.
 *
 * Per weight (fitted on dcgan-28 and on a spectral-norm + R1 + DiffAugment config):
 * G about 5.5 copies (the weight, its gradient, Adam's two slots, the fused
 * update's new buffers and the squared gradient of the gradient norm, less
 * what the pool shares between them); D 9, and 18 with a gradient penalty,
 * whose second differentiation makes weight-sized gradients of gradients; the
 * EMA copy and its spare 2. (RMSProp and SGD keep fewer slots: more margin.)
 */
const G_WEIGHT_COPIES = 5.5;
const D_WEIGHT_COPIES = 9;
const PENALTY_D_WEIGHT_COPIES = 18;
const EMA_WEIGHT_COPIES = 2;
/**
 * Per image: each layer output of G and D is kept for the backward pass with its
 * gradient and spares (4.5 copies; D's counted twice with a penalty, which
 * differentiates D's gradient again), and the image itself is copied by the
 * augmentations and losses (about 8 copies).
 */
const ACTIVATION_COPIES = 4.5;
const IMAGE_COPIES = 8;
/** Uniform, staging and per-channel buffers that do not grow with the model or the batch. */
const CONSTANT_BYTES = 256 * 2 ** 10;
/** Measured spread between configs (bench/gpu-memory.ts): the estimate stays above what is allocated. */
const MARGIN = 1.15;

function elements(shape: (number | null)[]): number {
  return shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);
}

/** Per-image output elements of every layer: their sum and the largest. */
function activations(model: tf.LayersModel): { sum: number; max: number } {
  let sum = 0;
  let max = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as (number | null)[] | (number | null)[][];
    const shapes = Array.isArray(out[0]) ? (out as (number | null)[][]) : [out as (number | null)[]];
    for (const shape of shapes) {
      const n = elements(shape);
      sum += n;
      max = Math.max(max, n);
    }
  }
  return { sum, max };
}

/**
 * Estimated GPU memory for one training step: a bounded overestimate of what
 * tfjs-webgpu allocates, within 1.0–1.5× of it on the configs measured
 * (tests/engine/webgpu/memory-estimate.test.ts). `penalty`: R1/R2/WGAN-GP,
 * which differentiate D twice.
 */
export function estimateTrainingMemory(models: MemoryModels, batch: number, penalty: boolean): MemoryEstimate {
  const g = activations(models.g);
  const d = activations(models.d);
  const image = elements(models.g.outputs[0].shape);
  const perImage = FLOAT * MARGIN * (ACTIVATION_COPIES * (g.sum + d.sum * (penalty ? 2 : 1)) + IMAGE_COPIES * image);
  const weights =
    G_WEIGHT_COPIES * models.g.countParams() +
    (penalty ? PENALTY_D_WEIGHT_COPIES : D_WEIGHT_COPIES) * models.d.countParams() +
    EMA_WEIGHT_COPIES * (models.gEma?.countParams() ?? 0);
  const fixed = FLOAT * MARGIN * weights + CONSTANT_BYTES;
  return {
    batch,
    bytes: Math.ceil(fixed + batch * perImage),
    fixedBytes: Math.ceil(fixed),
    perImageBytes: Math.ceil(perImage),
    largestTensorBytes: FLOAT * batch * Math.max(g.max, d.max),
  };
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
};

/** Parses "8GB", "512MiB", "1.5g" or plain bytes; null when unset or unreadable. */
function parseMemorySize(text: string | undefined): number | null {
  if (text == null) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return null;
  const unit = UNITS[m[2].toLowerCase()];
  return unit == null ? null : Number(m[1]) * unit;
}

/** The GPU memory budget the user set (GAN_STUDIO_GPU_MEMORY), or null. */
function gpuMemoryBudget(env: NodeJS.ProcessEnv = process.env): number | null {
  const raw = env.GAN_STUDIO_GPU_MEMORY;
  if (raw == null || raw === '') return null;
  const bytes = parseMemorySize(raw);
  if (bytes == null || bytes <= 0)
    throw new UserError(`GAN_STUDIO_GPU_MEMORY="${raw}" is not a size; write it like 8GB, 512MiB or 4096MB.`);
  return bytes;
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

const human = (bytes: number): string =>
  bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : bytes >= 2 ** 20
      ? `${(bytes / 2 ** 20).toFixed(1)} MiB`
      : `${Math.ceil(bytes / 2 ** 10)} KiB`;

/** The largest batch that fits both limits (0: not even one image). */
function largestFittingBatch(perBatch1: MemoryEstimate, limits: DeviceLimits, budget: number | null): number {
  const oneBuffer = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  let best = Math.floor(oneBuffer / Math.max(1, perBatch1.largestTensorBytes));
  if (budget != null) best = Math.min(best, Math.floor((budget - perBatch1.fixedBytes) / perBatch1.perImageBytes));
  return Math.max(0, best);
}

/**
 * Refuses, with one line naming the largest batch that fits, a batch whose step
 * cannot fit the device's buffer limit or the user's memory budget.
 */
export function checkBatchFits(
  models: MemoryModels,
  batch: number,
  penalty: boolean,
  limits: DeviceLimits,
  budget: number | null = gpuMemoryBudget(),
): MemoryEstimate {
  const est = estimateTrainingMemory(models, batch, penalty);
  const oneBuffer = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const tooBigTensor = est.largestTensorBytes > oneBuffer;
  const overBudget = budget != null && est.bytes > budget;
  if (!tooBigTensor && !overBudget) return est;
  const best = largestFittingBatch(estimateTrainingMemory(models, 1, penalty), limits, budget);
  const why = tooBigTensor
    ? `its largest activation (${human(est.largestTensorBytes)}) exceeds the GPU's ${human(oneBuffer)} buffer limit`
    : `a step needs about ${human(est.bytes)} of GPU memory (estimate), more than the ${human(budget!)} budget (GAN_STUDIO_GPU_MEMORY)`;
  const advice =
    best >= 1
      ? `the largest batch that fits is ${best} (--batch ${best})`
      : 'this model does not fit even at batch 1: use a smaller model or --backend wasm';
  throw new UserError(`Batch ${batch} does not fit on the GPU: ${why}; ${advice}.`);
}
