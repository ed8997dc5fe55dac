/**
 * A trained generator loaded from a checkpoint (the EMA copy when the run
 * kept one), with what a caller needs to feed it, and the class checks.
 */
import type * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { LatentDist, TrainConfig } from '../../shared/config';
import { UserError } from '../errors';
import { hasModel, loadCheckpointModel } from '../run/checkpoint';
import {
  CheckpointDamagedError,
  readCheckpointState,
  verifyCheckpointFiles,
  type CheckpointState,
} from '../run/checkpoint-state';
import { pickCheckpoint, type SkippedCheckpoint } from '../run/checkpoint-pick';
import { readRunConfig } from '../run/config-file';
import { IMPORT_REPORT_FILE, runDirOf } from '../run/run-dir';
import { generatorClassCount } from '../models/inputs';

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
    if (ema && !(await hasModel(checkpointDir, state, 'g_ema')))
      throw new CheckpointDamagedError(checkpointDir, 'g_ema/ is missing, and this run keeps an EMA generator');
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
    const report = JSON.parse(await readFile(path.join(runDir, IMPORT_REPORT_FILE), 'utf8')) as {
      classNames?: unknown;
    };
    return Array.isArray(report.classNames) ? report.classNames.map(String) : [];
  } catch {
    return [];
  }
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

/** The classes a generator takes, for error messages: "0 (zero), 1 (one), …" or "0 to K−1". */
export function classList(gen: Pick<LoadedGenerator, 'numClasses' | 'classNames'>): string {
  const k = gen.numClasses;
  if (gen.classNames.length >= k)
    return gen.classNames
      .slice(0, k)
      .map((n, i) => `${i} (${n})`)
      .join(', ');
  return `0 to ${k - 1}`;
}

/** A class index a caller asked for, checked against the generator: null when none was given. */
export function checkClass(
  gen: Pick<LoadedGenerator, 'numClasses' | 'classNames'>,
  c: number | null | undefined,
): number | null {
  if (c == null) return null;
  if (gen.numClasses === 0)
    throw new UserError(`This generator is not conditional: it takes no class (class ${c} was given).`);
  if (!(Number.isInteger(c) && c >= 0 && c < gen.numClasses)) {
    throw new UserError(`Class ${c} is out of range: this generator has ${gen.numClasses} classes: ${classList(gen)}.`);
  }
  return c;
}
