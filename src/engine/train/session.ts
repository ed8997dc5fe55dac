/**
 * A GAN being trained: G, D, the EMA copy of G, both optimizers, and the
 * random state that decides noise and data order. Everything a checkpoint
 * must hold to continue bit for bit lives here, and nothing else does.
 */
import * as tf from '@tensorflow/tfjs';
import { effectivePenalty, type TrainConfig } from '../../shared/config';
import { adaUpdate, anyAugment, applyAugment, drawAugmentParams, sliceAugmentParams } from '../augment/diffaugment';
import { modelSpecOf, optimizerOf } from '../config/techniques';
import type { ImageBatch } from '../image/png';
import { setCropQuarter, setNoiseSeed } from '../layers';
import { buildDiscriminator, buildGenerator } from '../models';
import { fastganScoreView, hasReconstructions } from '../models/fastgan';
import { Rng, deriveSeed, type RngState } from '../rng';
import type { StepStats } from '../run/stats-log';
import { recomputeBatchNormStats } from './bn-stats';
import { copyWeights, emaDecayAt, updateEma } from './ema';
import { discriminatorStep, generatorStep, trainableVariables, type DStepStats, type PrepareFn } from './gan-step';
import { makeOptimizer, type Optimizer } from './optimizers';
import type { PenaltyKind } from './penalties';
import { replicaMeanGrads, replicaRows, replicaSlice, type ReplicaRole } from './replica-role';
import { BatchSampler, type SamplerState } from './sampler';
import { SampleGrid, oneHotClasses } from './sample-grid';
import { instanceNoiseSigma, labelTargets, sampleLatent } from './tricks';

/** The dataset as training sees it: a count and a way to fill a batch scaled to [-1, 1]; labels for a conditional GAN. */
export interface TrainingData {
  count: number;
  batch(indices: ArrayLike<number>, out?: Float32Array): Float32Array;
  /** Class index of each image (a Dataset has them: first-level subfolders). */
  labels?: ArrayLike<number>;
  classNames?: string[];
}

export interface SessionState {
  step: number;
  noise: RngState;
  data: SamplerState;
  /** The stream behind augmentation, label tricks, instance noise, penalty interpolation and G's labels. */
  tricks?: RngState;
  /** The current augmentation probability (ADA adapts it). */
  augmentP?: number;
  /** Both learning rates are the config's times this (recovery lowers it at each rollback; 1 when absent). */
  lrScale?: number;
  /** Rollbacks made so far (recovery); 0 when absent. */
  rollbacks?: number;
  /** Steps in a row so far with an exploding gradient norm (recovery's watch); 0 when absent. */
  explodingSteps?: number;
  /** The step the last rollback returned to, until a newer checkpoint is saved (a second divergence then goes further back). */
  rolledBackTo?: number;
}

export interface SessionParts {
  g: tf.LayersModel;
  d: tf.LayersModel;
  gEma: tf.LayersModel | null;
  optimizer?: { g: { step: number; tensors: tf.NamedTensorMap }; d: { step: number; tensors: tf.NamedTensorMap } };
  state?: SessionState;
}

export class GanSession {
  readonly g: tf.LayersModel;
  readonly d: tf.LayersModel;
  /** D's score alone: D itself, or for fastgan a view of D without its (training-only) decoders, same weights. */
  readonly dScore: tf.LayersModel;
  readonly gEma: tf.LayersModel | null;
  readonly optG: Optimizer;
  readonly optD: Optimizer;
  /** Iterations done so far (each: dSteps D updates, gSteps G updates). */
  step: number;
  /** Augmentation probability now (fixed, or adapted by ADA). */
  augmentP: number;
  /** The factor on both learning rates (recovery lowers it). */
  readonly lrScale: number;
  /** Rollbacks made so far. */
  readonly rollbacks: number;
  /** Steps in a row so far with an exploding gradient norm (kept by the training loop's watch, saved so a resume counts on). */
  explodingSteps: number;
  /** See SessionState.rolledBackTo; null when no rollback is pending a newer checkpoint. */
  rolledBackTo: number | null;
  private readonly noise: Rng;
  private readonly tricks: Rng;
  private readonly sampler: BatchSampler;
  private readonly grid: SampleGrid;
  private readonly numClasses: number;
  private readonly labels: ArrayLike<number> | null;
  /** Set while this session is one of several data-parallel replicas. */
  private role: ReplicaRole | null = null;
  /** The step at which G-EMA's batch-norm statistics were last recomputed (-1: never; see sampleGenerator). */
  private emaStatsStep = -1;

  /** A new session with freshly initialised models. `data` (or its class names) fills conditional.numClasses when it is 0. */
  static create(
    config: TrainConfig,
    dataCount: number,
    data?: { classNames?: string[]; labels?: ArrayLike<number> },
  ): GanSession {
    return new GanSession(config, dataCount, GanSession.initialModels(config), data);
  }

  /** The models of step 0: initialised from the seed, so the same seed always gives the same start. */
  static initialModels(config: TrainConfig): { g: tf.LayersModel; d: tf.LayersModel; gEma: tf.LayersModel | null } {
    const spec = modelSpecOf(config);
    const g = buildGenerator(spec, deriveSeed(config.seed, 'init/g'));
    const d = buildDiscriminator(spec, deriveSeed(config.seed, 'init/d'));
    let gEma: tf.LayersModel | null = null;
    if (config.ema.enabled) {
      gEma = buildGenerator(spec, deriveSeed(config.seed, 'init/g'));
      copyWeights(gEma, g);
    }
    return { g, d, gEma };
  }

  /** A session from saved parts (a checkpoint); takes ownership of the models. */
  constructor(
    readonly config: TrainConfig,
    dataCount: number,
    parts: SessionParts,
    data?: { labels?: ArrayLike<number> },
  ) {
    this.g = parts.g;
    this.d = parts.d;
    this.dScore = hasReconstructions(parts.d) ? fastganScoreView(parts.d) : parts.d;
    this.gEma = config.ema.enabled ? parts.gEma : null;
    if (config.ema.enabled && !this.gEma) throw new Error('EMA is enabled but the checkpoint has no G-EMA');
    this.lrScale = parts.state?.lrScale ?? 1;
    this.rollbacks = parts.state?.rollbacks ?? 0;
    this.explodingSteps = parts.state?.explodingSteps ?? 0;
    this.rolledBackTo = parts.state?.rolledBackTo ?? null;
    this.optG = makeOptimizer(trainableVariables(this.g), {
      ...config.g,
      lr: config.g.lr * this.lrScale,
      optimizer: optimizerOf(config, 'g'),
    });
    this.optD = makeOptimizer(trainableVariables(this.d), {
      ...config.d,
      lr: config.d.lr * this.lrScale,
      optimizer: optimizerOf(config, 'd'),
    });
    if (parts.optimizer) {
      this.optG.setState(parts.optimizer.g.step, parts.optimizer.g.tensors);
      this.optD.setState(parts.optimizer.d.step, parts.optimizer.d.tensors);
      // The optimizer's variables now hold their own references to the data.
      for (const t of [...Object.values(parts.optimizer.g.tensors), ...Object.values(parts.optimizer.d.tensors)])
        t.dispose();
    }
    const state = parts.state;
    this.step = state?.step ?? 0;
    this.noise = new Rng(state?.noise ?? deriveSeed(config.seed, 'noise'));
    this.tricks = new Rng(state?.tricks ?? deriveSeed(config.seed, 'tricks'));
    this.augmentP = state?.augmentP ?? config.augment.probability;
    this.sampler = new BatchSampler(dataCount, deriveSeed(config.seed, 'data'), state?.data);
    this.numClasses = config.conditional.enabled ? config.conditional.numClasses : 0;
    this.grid = new SampleGrid(config, this.numClasses);
    this.labels = data?.labels ?? null;
    if (this.numClasses > 0 && this.labels && this.labels.length !== dataCount)
      throw new Error(`labels: ${this.labels.length} for ${dataCount} images`);
  }

  get state(): SessionState {
    // Rng words as unsigned: a resumed Rng stores them so, and state.json must not depend on the path taken.
    const words = (r: Rng) => r.state.map((v) => v >>> 0) as RngState;
    const state: SessionState = {
      step: this.step,
      noise: words(this.noise),
      data: this.sampler.state,
      tricks: words(this.tricks),
      augmentP: this.augmentP,
    };
    // Only after a rollback, so the checkpoints of a run that never diverged stay as they were.
    if (this.rollbacks > 0) Object.assign(state, { lrScale: this.lrScale, rollbacks: this.rollbacks });
    if (this.explodingSteps > 0) state.explodingSteps = this.explodingSteps;
    if (this.rolledBackTo !== null) state.rolledBackTo = this.rolledBackTo;
    return state;
  }

  /**
   * The generator used for samples, metrics and export: the EMA copy when there is one, with its
   * batch-norm statistics recomputed for its current weights when ema.bnStats=recompute (once per step).
   */
  get sampleGenerator(): tf.LayersModel {
    if (!this.gEma) return this.g;
    if (this.config.ema.bnStats === 'recompute' && this.emaStatsStep !== this.step) {
      recomputeBatchNormStats(this.gEma, this.config);
      this.emaStatsStep = this.step;
    }
    return this.gEma;
  }

  /** Makes this session a data-parallel replica (null: train on the whole batch again). */
  setReplicaRole(role: ReplicaRole | null): void {
    if (role && this.config.batchSize % role.count !== 0)
      throw new RangeError(`batch size ${this.config.batchSize} does not split over ${role.count} replicas`);
    this.role = role;
  }

  /** The rows of the batch this session trains on: all of them, or its replica's slice. */
  private get rows(): { from: number; to: number } {
    return replicaRows(this.role, this.config.batchSize);
  }

  /** This session's rows of per-sample values drawn for the whole batch (`perRow` values each). */
  private mine<T extends Float32Array | Int32Array | Uint32Array>(values: T, perRow = 1): T {
    return replicaSlice(this.role, this.config.batchSize, values, perRow);
  }

  private latent(count: number): tf.Tensor2D {
    const { latentDim, latentDist } = this.config.model;
    const values = this.mine(sampleLatent(this.noise, count, latentDim, latentDist), latentDim);
    return tf.tensor2d(values, [values.length / latentDim, latentDim]);
  }

  private oneHot(classes: ArrayLike<number>): tf.Tensor2D {
    return oneHotClasses(classes, this.numClasses);
  }

  private realBatch(data: TrainingData): { images: tf.Tensor4D; labels: tf.Tensor2D | null } {
    const { batchSize, model } = this.config;
    const all = this.sampler.next(batchSize);
    const size = model.resolution * model.resolution * model.channels;
    const role = this.role;
    // A fresh array per batch: the cpu backend keeps a reference to the array it is given.
    let pixels: Float32Array;
    if (!role) pixels = data.batch(all, new Float32Array(batchSize * size));
    else {
      // Only rank 0 holds the dataset: it shares the whole batch, each replica copies its rows.
      if (role.rank === 0) role.pixels.set(data.batch(all, new Float32Array(batchSize * size)));
      role.exchange.barrier();
      pixels = this.mine(role.pixels.subarray(0, batchSize * size), size);
    }
    const { from, to } = this.rows;
    const images = tf.tensor4d(pixels, [to - from, model.resolution, model.resolution, model.channels]);
    if (this.numClasses === 0) return { images, labels: null };
    const source = data.labels ?? this.labels;
    if (!source) throw new Error('conditional.enabled: the training data has no labels');
    return { images, labels: this.oneHot(Array.from(all.subarray(from, to), (i) => source[i])) };
  }

  /** What D sees of a batch: DiffAugment (with the current p), then instance noise. Draws from the tricks stream. */
  private prepareFn(): PrepareFn | undefined {
    const { augment, instanceNoise } = this.config;
    const augmenting = anyAugment(augment) && this.augmentP > 0;
    const sigma = instanceNoiseSigma(instanceNoise, this.step);
    if (!augmenting && sigma <= 0) return undefined;
    return (images) => {
      const [n, h, w, c] = images.shape;
      // A replica draws for the whole batch (the streams stay in step) and uses its rows.
      const all = this.role ? this.config.batchSize : n;
      const { from, to } = this.role ? this.rows : { from: 0, to: n };
      if (to - from !== n) throw new Error(`a replica's batch of ${n} is not its ${to - from} rows`);
      let x = images;
      if (augmenting) {
        const params = drawAugmentParams(this.tricks, all, h, w, augment, this.augmentP);
        x = applyAugment(images, this.role ? sliceAugmentParams(params, from, to) : params);
      }
      if (sigma > 0) {
        const noise = this.mine(this.tricks.normal(new Float32Array(all * h * w * c)), h * w * c);
        x = x.add(tf.tensor4d(noise, [n, h, w, c]).mul(sigma));
      }
      return x;
    };
  }

  /** The penalty of the next D update (lazy: every k-th update, weight × k), or null. */
  private penaltyFor(dUpdate: number, n: number): { kind: PenaltyKind; weight: number; epsilon?: Float32Array } | null {
    const kind = effectivePenalty(this.config);
    const { every, weight } = this.config.penalty;
    if (kind === 'none' || dUpdate % every !== 0) return null;
    const epsilon =
      kind === 'wgan-gp' ? this.mine(Float32Array.from({ length: n }, () => this.tricks.uniform())) : undefined;
    return { kind, weight: weight * every, epsilon };
  }

  /** fastgan: the quarter the part decoder reconstructs in the next D update (from the tricks stream), set on D; else null. */
  private reconstructionFor(): { score: tf.LayersModel; quarter: number; weight: number } | null {
    if (this.dScore === this.d) return null;
    const quarter = this.tricks.int(4);
    setCropQuarter(this.d, quarter);
    return { score: this.dScore, quarter, weight: this.config.model.reconstructionWeight };
  }

  /** Seed G's dropout noise for its next forward pass (no-op without g.dropout). */
  private seedNoise(model: tf.LayersModel, tag: string): void {
    // Replicas other than 0 get their own masks (rank 0's are a single engine's).
    const rank = this.role && this.role.rank > 0 ? `/r${this.role.rank}` : '';
    setNoiseSeed(model, deriveSeed(this.config.seed, `dropout/${this.step}/${tag}${rank}`));
  }

  /** dSteps D updates, gSteps G updates, the EMA update; returns the step's numbers. */
  async trainStep(data: TrainingData): Promise<StepStats> {
    const started = performance.now();
    const { batchSize, dSteps, gSteps, loss, ema, augment } = this.config;
    const scalars: tf.Scalar[] = [];
    const clip = loss === 'wgan' ? this.config.weightClip : null;
    const reduceGrads = this.role ? replicaMeanGrads(this.role.exchange) : null;
    this.role?.beginStep?.();
    try {
      let dStats: DStepStats | undefined;
      for (let k = 0; k < dSteps; k++) {
        if (dStats) for (const t of Object.values(dStats)) t?.dispose();
        const real = this.realBatch(data);
        const z = this.latent(batchSize);
        try {
          this.seedNoise(this.g, `d${k}`);
          const drawn = labelTargets(this.config.labels, this.tricks, batchSize);
          const targets = drawn && { real: this.mine(drawn.real), fake: this.mine(drawn.fake) };
          dStats = discriminatorStep({ model: this.d, optimizer: this.optD }, this.g, real.images, z, {
            loss,
            labels: real.labels,
            prepare: this.prepareFn(),
            targets,
            penalty: this.penaltyFor(this.optD.step + 1, batchSize),
            clip,
            reconstruction: this.reconstructionFor(),
            reduceGrads,
          });
        } finally {
          real.images.dispose();
          real.labels?.dispose();
          z.dispose();
        }
      }
      let gStats: { lossG: tf.Scalar; gradNormG: tf.Scalar } | undefined;
      for (let k = 0; k < gSteps; k++) {
        if (gStats) for (const t of Object.values(gStats)) t.dispose();
        // loss=rpgan pairs each fake with a real: G's step draws a real batch (and G makes its classes).
        const real = loss === 'rpgan' ? this.realBatch(data) : null;
        const z = this.latent(batchSize);
        const labels = real
          ? real.labels
          : this.numClasses > 0
            ? this.oneHot(this.mine(Int32Array.from({ length: batchSize }, () => this.tricks.int(this.numClasses))))
            : null;
        try {
          this.seedNoise(this.g, `g${k}`);
          gStats = generatorStep({ model: this.g, optimizer: this.optG }, this.dScore, z, loss, {
            labels,
            prepare: this.prepareFn(),
            real: real?.images ?? null,
            reduceGrads,
          });
        } finally {
          z.dispose();
          labels?.dispose();
          real?.images.dispose();
        }
      }
      this.step += 1;
      if (this.gEma) {
        if (this.step <= ema.startStep) copyWeights(this.gEma, this.g);
        else updateEma(this.gEma, this.g, emaDecayAt(ema.decay, this.step - ema.startStep, ema.warmup));
      }
      const { lossD, dReal, dFake, gradNormD } = dStats!;
      const { lossG, gradNormG } = gStats!;
      scalars.push(lossD, lossG, dReal, dFake, gradNormD, gradNormG);
      if (dStats!.signReal) scalars.push(dStats!.signReal);
      if (dStats!.penalty) scalars.push(dStats!.penalty);
      const reconAt = dStats!.reconstruction ? scalars.push(dStats!.reconstruction) - 1 : -1;
      // One read-back for the whole step.
      const stacked = tf.stack(scalars);
      let values = (await stacked.data()) as Float32Array;
      stacked.dispose();
      if (this.role) {
        // Each replica's losses and D outputs are means over its rows: their mean is the batch's (ADA reads it too).
        this.role.exchange.slot.set(values);
        values = this.role.exchange.allReduceMean(values.length).slice();
      }
      if (augment.ada && dStats!.signReal) {
        this.augmentP = adaUpdate(this.augmentP, values[6], augment.adaTarget, batchSize * dSteps, augment.adaSpeed);
      }
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
        ...(reconAt >= 0 ? { lossRecon: values[reconAt] } : {}),
      };
    } finally {
      for (const t of scalars) t.dispose();
    }
  }

  /**
   * The sample grid's images, from the fixed noise. A conditional GAN shows
   * one class per grid row (row r: class r mod K), or only `classIndex` when given.
   */
  async sampleFixed(classIndex?: number): Promise<ImageBatch> {
    return this.grid.draw(this.sampleGenerator, classIndex);
  }

  dispose(): void {
    this.g.dispose();
    this.d.dispose();
    this.gEma?.dispose();
    this.optG.dispose();
    this.optD.dispose();
    this.grid.dispose();
  }
}
