/**
 * Using a trained generator: load it from a checkpoint (the EMA copy when the
 * run kept one) and turn seeds into images.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LatentDist, TrainConfig } from '../shared/config';
import { UserError } from './errors';
import { readBatch, type ImageBatch } from './image/png';
import { CheckpointDamagedError, hasModel, loadCheckpointModel, readCheckpointState, verifyCheckpointFiles, type CheckpointState } from './run/checkpoint';
import { pickCheckpoint, type SkippedCheckpoint } from './run/checkpoint-pick';
import { readRunConfig } from './run/config-file';
import { IMPORT_REPORT_FILE, runDirOf } from './run/run-dir';
import { setNoiseSeed } from './layers';
import { classesFor, generatorClassCount, generatorInputs, latentsFor } from './models/inputs';

export interface LoadedGenerator {
  model: tf.LayersModel;
  /** True when this is the EMA copy of G. */
  ema: boolean;
  checkpointDir: string;
  state: CheckpointState;
  config: TrainConfig;
  latentDim: number;
  resolution: number;
  channels: number;
  classNames: string[];
  /** Classes a conditional generator takes (0: unconditional). */
  numClasses: number;
  /** Distribution z was drawn from in training; samples must use the same. */
  latentDist: LatentDist;
  /** Newer checkpoints of the run that were damaged and skipped, newest first. */
  skipped: SkippedCheckpoint[];
}

/**
 * The generator of a checkpoint folder, or of a run folder's newest intact
 * checkpoint (damaged newer ones are skipped and listed in `skipped`).
 */
export async function loadGenerator(checkpointPath: string): Promise<LoadedGenerator> {
  let config: TrainConfig | null = null;
  const picked = await pickCheckpoint(checkpointPath, async (checkpointDir) => {
    config ??= await readRunConfig(runDirOf(checkpointDir));
    const state = await readCheckpointState(checkpointDir);
    const ema = config.ema.enabled || (await hasModel(checkpointDir, state, 'g_ema'));
    if (ema && !(await hasModel(checkpointDir, state, 'g_ema'))) throw new CheckpointDamagedError(checkpointDir, 'g_ema/ is missing, and this run keeps an EMA generator');
    const name = ema ? 'g_ema' : 'g';
    await verifyCheckpointFiles(checkpointDir, state, [name]);
    return { state, ema, model: await loadCheckpointModel(checkpointDir, name) };
  });
  const { model, ema, state } = picked.value;
  const runDir = picked.runDir;
  const [, latentDim] = model.inputs[0].shape as [null, number];
  const [, resolution, , channels] = model.outputs[0].shape as [null, number, number, number];
  return {
    model,
    ema,
    checkpointDir: picked.dir,
    state,
    config: config!,
    latentDim,
    resolution,
    channels,
    classNames: await readClassNames(runDir),
    numClasses: generatorClassCount(model),
    latentDist: config!.model.latentDist,
    skipped: picked.skipped,
  };
}

async function readClassNames(runDir: string): Promise<string[]> {
  try {
    const report = JSON.parse(await readFile(path.join(runDir, IMPORT_REPORT_FILE), 'utf8')) as { classNames?: unknown };
    return Array.isArray(report.classNames) ? report.classNames.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * `count` latent vectors from `seed`, drawn from the distribution the run
 * trained with (N(0, 1) unless it chose uniform): the same seed always gives
 * the same vectors.
 */
export function latents(seed: number, count: number, latentDim: number, dist: LatentDist = 'normal'): Float32Array {
  return latentsFor(seed, count, latentDim, dist);
}

export interface GenerateOptions {
  /** Images per forward pass (bounds memory). */
  batchSize?: number;
  /** For a conditional generator: one class for all, one per image (cycled), or by default 0, 1, …, K−1, 0, … */
  classes?: number | ArrayLike<number> | null;
  /** Seeds the dropout noise of a G trained with g.dropout, so the same seed gives the same images. */
  noiseSeed?: number | null;
}

/** Images for the given latent vectors, generated in batches to bound memory. */
export async function generateImages(gen: LoadedGenerator, z: Float32Array, options: GenerateOptions = {}): Promise<ImageBatch> {
  const batchSize = options.batchSize ?? 64;
  const count = z.length / gen.latentDim;
  let classes: Int32Array | null = null;
  try {
    if (gen.numClasses > 0) classes = classesFor(count, gen.numClasses, options.classes);
  } catch (err) {
    throw new UserError(`${(err as Error).message}: this generator has ${gen.numClasses} classes.`);
  }
  setNoiseSeed(gen.model, options.noiseSeed ?? null);
  const parts: ImageBatch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = tf.tidy(() => {
      const zt = tf.tensor2d(z.subarray(start * gen.latentDim, (start + n) * gen.latentDim), [n, gen.latentDim]);
      return gen.model.predict(generatorInputs(gen.model, zt, classes?.subarray(start, start + n))) as tf.Tensor4D;
    });
    try {
      parts.push(await readBatch(images));
    } finally {
      images.dispose();
    }
  }
  const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.bytes.length, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(p.bytes, offset);
    offset += p.bytes.length;
  }
  return { count, height: gen.resolution, width: gen.resolution, channels: gen.channels, bytes };
}

/** A class given by name or index, as a user typed it. */
export function parseClass(gen: LoadedGenerator, value: string): number {
  if (gen.numClasses === 0) throw new UserError('This generator is not conditional: it has no classes to pick.');
  const byName = gen.classNames.indexOf(value);
  if (byName >= 0) return byName;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 0 && n < gen.numClasses) return n;
  const names = gen.classNames.length ? gen.classNames.join(', ') : `0 to ${gen.numClasses - 1}`;
  throw new UserError(`Unknown class "${value}". Choose one of: ${names}.`);
}
