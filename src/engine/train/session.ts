/**
 * A GAN being trained: G, D, the EMA copy of G, both optimizers, and the
 * random state that decides noise and data order. Everything a checkpoint
 * must hold to continue bit for bit lives here, and nothing else does.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { readBatch, type ImageBatch } from '../image/png';
import { buildDiscriminator, buildGenerator, type ModelSpec } from '../models/dcgan';
import { Rng, deriveSeed, type RngState } from '../rng';
import type { StepStats } from '../run/stats-log';
import { Adam } from './adam';
import { copyWeights, updateEma } from './ema';
import { discriminatorStep, generatorStep, trainableVariables, type DStepStats } from './gan-step';
import { BatchSampler, type SamplerState } from './sampler';

/** The dataset as training sees it: a count and a way to fill a batch scaled to [-1, 1]. */
export interface TrainingData {
  count: number;
  batch(indices: ArrayLike<number>, out?: Float32Array): Float32Array;
}

export interface SessionState {
  step: number;
  noise: RngState;
  data: SamplerState;
}

export interface SessionParts {
  g: tf.LayersModel;
  d: tf.LayersModel;
  gEma: tf.LayersModel | null;
  optimizer?: { g: { step: number; tensors: tf.NamedTensorMap }; d: { step: number; tensors: tf.NamedTensorMap } };
  state?: SessionState;
}

export function modelSpecOf(config: TrainConfig): ModelSpec {
  return { ...config.model };
}

export class GanSession {
  readonly g: tf.LayersModel;
  readonly d: tf.LayersModel;
  readonly gEma: tf.LayersModel | null;
  readonly optG: Adam;
  readonly optD: Adam;
  /** G updates done so far. */
  step: number;
  private readonly noise: Rng;
  private readonly sampler: BatchSampler;
  /** The same z every time, so sample grids show how one set of faces evolves. */
  private readonly fixedNoise: tf.Tensor2D;

  /** A new session with freshly initialised models. */
  static create(config: TrainConfig, dataCount: number): GanSession {
    const spec = modelSpecOf(config);
    const g = buildGenerator(spec, deriveSeed(config.seed, 'init/g'));
    const d = buildDiscriminator(spec, deriveSeed(config.seed, 'init/d'));
    let gEma: tf.LayersModel | null = null;
    if (config.ema.enabled) {
      gEma = buildGenerator(spec, deriveSeed(config.seed, 'init/g'));
      copyWeights(gEma, g);
    }
    return new GanSession(config, dataCount, { g, d, gEma });
  }

  /** A session from saved parts (a checkpoint); takes ownership of the models. */
  constructor(
    readonly config: TrainConfig,
    dataCount: number,
    parts: SessionParts,
  ) {
    this.g = parts.g;
    this.d = parts.d;
    this.gEma = config.ema.enabled ? parts.gEma : null;
    if (config.ema.enabled && !this.gEma) throw new Error('EMA is enabled but the checkpoint has no G-EMA');
    this.optG = new Adam(trainableVariables(this.g), config.g);
    this.optD = new Adam(trainableVariables(this.d), config.d);
    if (parts.optimizer) {
      this.optG.setState(parts.optimizer.g.step, parts.optimizer.g.tensors);
      this.optD.setState(parts.optimizer.d.step, parts.optimizer.d.tensors);
      // The optimizer's variables now hold their own references to the data.
      for (const t of [...Object.values(parts.optimizer.g.tensors), ...Object.values(parts.optimizer.d.tensors)]) t.dispose();
    }
    const state = parts.state;
    this.step = state?.step ?? 0;
    this.noise = new Rng(state?.noise ?? deriveSeed(config.seed, 'noise'));
    this.sampler = new BatchSampler(dataCount, deriveSeed(config.seed, 'data'), state?.data);
    const fixed = new Rng(deriveSeed(config.seed, 'fixed-noise'));
    const n = config.gridSize * config.gridSize;
    this.fixedNoise = tf.tensor2d(fixed.normal(new Float32Array(n * config.model.latentDim)), [n, config.model.latentDim]);
  }

  get state(): SessionState {
    return { step: this.step, noise: this.noise.state, data: this.sampler.state };
  }

  /** The generator used for samples and export: the EMA copy when there is one. */
  get sampleGenerator(): tf.LayersModel {
    return this.gEma ?? this.g;
  }

  private latent(count: number): tf.Tensor2D {
    const dim = this.config.model.latentDim;
    return tf.tensor2d(this.noise.normal(new Float32Array(count * dim)), [count, dim]);
  }

  private realBatch(data: TrainingData): tf.Tensor4D {
    const { batchSize, model } = this.config;
    const indices = this.sampler.next(batchSize);
    // A fresh array per batch: the cpu backend keeps a reference to the array it is given.
    const pixels = data.batch(indices, new Float32Array(batchSize * model.resolution * model.resolution * model.channels));
    return tf.tensor4d(pixels, [batchSize, model.resolution, model.resolution, model.channels]);
  }

  /** dSteps D updates, one G update, the EMA update; returns the step's numbers. */
  async trainStep(data: TrainingData): Promise<StepStats> {
    const started = performance.now();
    const { batchSize, dSteps, loss, ema } = this.config;
    const scalars: tf.Scalar[] = [];
    try {
      let dStats: DStepStats | undefined;
      for (let k = 0; k < dSteps; k++) {
        if (dStats) for (const t of Object.values(dStats)) t.dispose();
        const real = this.realBatch(data);
        const z = this.latent(batchSize);
        try {
          dStats = discriminatorStep({ model: this.d, optimizer: this.optD }, this.g, real, z);
        } finally {
          real.dispose();
          z.dispose();
        }
      }
      const z = this.latent(batchSize);
      const gStats = generatorStep({ model: this.g, optimizer: this.optG }, this.d, z, loss);
      z.dispose();
      this.step += 1;
      if (this.gEma) {
        if (this.step <= ema.startStep) copyWeights(this.gEma, this.g);
        else updateEma(this.gEma, this.g, ema.decay);
      }
      const { lossD, dReal, dFake, gradNormD } = dStats!;
      const { lossG, gradNormG } = gStats;
      scalars.push(lossD, lossG, dReal, dFake, gradNormD, gradNormG);
      // One read-back for the whole step.
      const stacked = tf.stack(scalars);
      const values = await stacked.data();
      stacked.dispose();
      const seconds = (performance.now() - started) / 1000;
      return {
        step: this.step,
        lossD: values[0],
        lossG: values[1],
        dReal: values[2],
        dFake: values[3],
        gradNormD: values[4],
        gradNormG: values[5],
        imgPerSec: batchSize / seconds,
        time: Date.now(),
      };
    } finally {
      for (const t of scalars) t.dispose();
    }
  }

  /** The sample grid's images, from the fixed noise. */
  async sampleFixed(): Promise<ImageBatch> {
    const images = tf.tidy(() => this.sampleGenerator.predict(this.fixedNoise) as tf.Tensor4D);
    try {
      return await readBatch(images);
    } finally {
      images.dispose();
    }
  }

  dispose(): void {
    this.g.dispose();
    this.d.dispose();
    this.gEma?.dispose();
    this.optG.dispose();
    this.optD.dispose();
    this.fixedNoise.dispose();
  }
}
