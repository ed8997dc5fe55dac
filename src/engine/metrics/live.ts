/**
 * Metrics while a run trains: the held-out reals are prepared once, then the
 * EMA generator's samples (from fixed latents, so curves compare like with
 * like) are scored at step 0, every `metrics.every` steps within the time
 * budget, and at the end. One line per evaluation goes to metrics.jsonl.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { readBatch } from '../image/png';
import { writeFileAtomic } from '../io/atomic';
import { METRICS_FILE } from '../run/run-dir';
import { setNoiseSeed } from '../layers';
import { generatorClassCount, generatorInputs, latentsFor } from '../models/inputs';
import { deriveSeed } from '../rng';
import { compareWithReference, metricsReference, type MetricValues, type MetricsReference } from './compare';
import { copyingOf, type CopyingReference } from './copying';
import type { ImageSet } from './image-set';

export { METRICS_FILE };
/** Most held-out images the SWD/KID reference uses (memory: 128 patches each at every level). */
export const MAX_REFERENCE_REALS = 1024;

export interface MetricsLine extends MetricValues {
  step: number;
  /** The copying score (./copying.ts), 0..1; null without held-out images or for a data set too large to search live. */
  copying: number | null;
  /** Wall time of the evaluation (sampling + scoring), in seconds. */
  seconds: number;
  /** False when the data set was too small to hold images out: the reals are training images. */
  heldout: boolean;
  time: number;
}

/** Generate `count` images from a generator with the run's fixed metrics latents. */
export async function sampleForMetrics(
  model: tf.LayersModel,
  config: TrainConfig,
  count: number,
  batchSize = 64,
): Promise<ImageSet> {
  const { latentDim, latentDist, resolution, channels } = config.model;
  const z = latentsFor(deriveSeed(config.seed, 'metrics/latents'), count, latentDim, latentDist);
  setNoiseSeed(model, deriveSeed(config.seed, 'metrics/dropout'));
  const per = resolution * resolution * channels;
  const bytes = new Uint8Array(count * per);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = tf.tidy(() => {
      const zt = tf.tensor2d(z.subarray(start * latentDim, (start + n) * latentDim), [n, latentDim]);
      // A conditional G gets the classes in turn: 0, 1, …, K−1, 0, …
      const k = Math.max(1, generatorClassCount(model));
      return model.predict(
        generatorInputs(
          model,
          zt,
          Int32Array.from({ length: n }, (_, i) => (start + i) % k),
        ),
      ) as tf.Tensor4D;
    });
    try {
      bytes.set((await readBatch(images)).bytes, start * per);
    } finally {
      images.dispose();
    }
  }
  return { count, size: resolution, channels, bytes };
}

/** Score a generator against a prepared reference (and its copying score, when a copying reference is given). */
export async function evaluateGenerator(
  model: tf.LayersModel,
  config: TrainConfig,
  ref: MetricsReference,
  count: number,
  copying: CopyingReference | null = null,
): Promise<MetricValues & { seconds: number; copying: number | null }> {
  const started = performance.now();
  const samples = await sampleForMetrics(model, config, count);
  const values = await compareWithReference(ref, samples);
  const copied = copying ? (await copyingOf(copying, samples)).score : null;
  return { ...values, copying: copied, seconds: (performance.now() - started) / 1000 };
}

export class LiveMetrics {
  private lastCost = 0;
  private trainSecondsSince = 0;
  private lastStep = -1;

  constructor(
    private readonly runDir: string,
    private readonly config: TrainConfig,
    private readonly reference: MetricsReference,
    private readonly heldout: boolean,
    private readonly copying: CopyingReference | null,
  ) {}

  /** The reference from the held-out reals (at most MAX_REFERENCE_REALS, evenly spread). */
  static async create(
    runDir: string,
    config: TrainConfig,
    reals: ImageSet,
    heldout: boolean,
    copying: CopyingReference | null = null,
  ): Promise<LiveMetrics> {
    let set = reals;
    if (reals.count > MAX_REFERENCE_REALS) {
      const per = reals.size * reals.size * reals.channels;
      const bytes = new Uint8Array(MAX_REFERENCE_REALS * per);
      for (let k = 0; k < MAX_REFERENCE_REALS; k++) {
        const i = Math.floor((k * reals.count) / MAX_REFERENCE_REALS);
        bytes.set(reals.bytes.subarray(i * per, (i + 1) * per), k * per);
      }
      set = { ...reals, count: MAX_REFERENCE_REALS, bytes };
    }
    return new LiveMetrics(runDir, config, await metricsReference(set), heldout, copying);
  }

  /** Add a training step's wall time to the budget. */
  addTrainTime(seconds: number): void {
    this.trainSecondsSince += seconds;
  }

  /** Is an evaluation due after `step`? Every `metrics.every` steps, postponed while the budget is spent. */
  due(step: number): boolean {
    const { every, budget } = this.config.metrics;
    if (every <= 0 || step % every !== 0 || step === this.lastStep) return false;
    return this.lastCost <= budget * this.trainSecondsSince;
  }

  /** Evaluate, append the line to metrics.jsonl, return it. */
  async evaluate(step: number, model: tf.LayersModel): Promise<MetricsLine> {
    const result = await evaluateGenerator(
      model,
      this.config,
      this.reference,
      this.config.metrics.samples,
      this.copying,
    );
    const line: MetricsLine = { step, ...result, heldout: this.heldout, time: Date.now() };
    await appendFile(path.join(this.runDir, METRICS_FILE), JSON.stringify(line) + '\n');
    this.lastCost = result.seconds;
    this.trainSecondsSince = 0;
    this.lastStep = step;
    return line;
  }

  /** Was `step` evaluated already (the end of a run that stopped on an evaluation step)? */
  evaluated(step: number): boolean {
    return this.lastStep === step;
  }
}

export async function readMetrics(file: string): Promise<MetricsLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: MetricsLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricsLine);
    } catch {
      // a line cut short by a kill
    }
  }
  return out;
}

/** On resume: keep only the evaluations up to the checkpoint's step (later ones are redone). */
export async function truncateMetrics(runDir: string, step: number): Promise<void> {
  const file = path.join(runDir, METRICS_FILE);
  const lines = await readMetrics(file);
  if (lines.length === 0) return;
  await writeFileAtomic(
    file,
    lines
      .filter((l) => l.step <= step)
      .map((l) => JSON.stringify(l) + '\n')
      .join(''),
  );
}
