/**
 * Checkpoints: `checkpoints/step-NNNNNN/` holding
 *   g/, d/, g_ema/          tfjs LayersModel folders (model.json + weights.bin)
 *   optimizer.json + optimizer-g.bin + optimizer-d.bin   optimizer moments and step counts
 *   state.json              step, RNG state, data cursor, the maths options,
 *                           and the size + SHA-256 of every other file (written last)
 * The folder is built under a temporary name and renamed into place, so a
 * checkpoint either exists whole or not at all. Every weight is checked for
 * NaN and Inf before it is written and after it is read: a non-finite
 * checkpoint is never saved, and never loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { UserError } from '../errors';
import { writeDirAtomic } from '../io/atomic';
import { NonFiniteError, firstNonFinite } from '../io/finite';
import { loadLayersModel, saveLayersModel } from '../io/layers-model-fs';
import type { GanSession, SessionParts } from '../train/session';
import { manifestOf } from './checkpoint-files';
import {
  CHECKPOINT_FORMAT,
  CheckpointDamagedError,
  readCheckpointState,
  verifyCheckpointFiles,
  type CheckpointState,
  type ModelName,
} from './checkpoint-state';
import { configHash, configHashFormat1, mathsDifferences, mathsOptions, migrateMathsOptions } from './config-compat';
import { CHECKPOINTS_DIR, CHECKPOINT_STATE_FILE, stepName } from './run-dir';

export { configHash } from './config-compat';

/** Refused at save time: the session's weights hold NaN or Inf. */
export class NonFiniteCheckpointError extends UserError {
  override name = 'NonFiniteCheckpointError';
  constructor(
    readonly step: number,
    readonly what: string,
  ) {
    super(`Not saving the checkpoint of step ${step}: ${what} holds NaN or Inf. The last good checkpoint is kept.`);
  }
}

export interface SaveInfo {
  datasetKey: string | null;
  dataKey?: string | null;
  backend: string;
}

const MODEL_LABEL: Record<ModelName, string> = { g: 'G', d: 'D', g_ema: 'G-EMA' };

/** Save the session as `checkpoints/step-NNNNNN/` of `runDir`; returns the folder. An existing checkpoint of the same step is kept as it is. */
export async function saveCheckpoint(runDir: string, session: GanSession, info: SaveInfo): Promise<string> {
  const target = path.join(runDir, CHECKPOINTS_DIR, stepName(session.step));
  if (await stat(target).catch(() => null)) return target;
  await writeDirAtomic(target, async (dir) => {
    for (const [name, model] of [
      ['g', session.g],
      ['d', session.d],
      // sampleGenerator: G-EMA with the batch-norm statistics of its own weights (ema.bnStats).
      ['g_ema', session.gEma ? session.sampleGenerator : null],
    ] as const) {
      if (!model) continue;
      const sub = path.join(dir, name);
      await mkdir(sub);
      try {
        await saveLayersModel(model, sub, { requireFinite: true });
      } catch (err) {
        if (err instanceof NonFiniteError)
          throw new NonFiniteCheckpointError(session.step, `weight ${err.weight} of ${MODEL_LABEL[name]}`);
        throw err;
      }
    }
    const optimizer: Record<string, { step: number; specs: tf.io.WeightsManifestEntry[] }> = {};
    for (const [name, opt] of [
      ['g', session.optG],
      ['d', session.optD],
    ] as const) {
      const { step, tensors } = opt.getState();
      const { data, specs } = await tf.io.encodeWeights(tensors);
      const bad = firstNonFinite(specs, data);
      if (bad) throw new NonFiniteCheckpointError(session.step, `optimizer state ${bad} of ${MODEL_LABEL[name]}`);
      await writeFile(path.join(dir, `optimizer-${name}.bin`), new Uint8Array(data));
      optimizer[name] = { step, specs };
    }
    await writeFile(path.join(dir, 'optimizer.json'), JSON.stringify(optimizer));
    const state: CheckpointState = {
      format: CHECKPOINT_FORMAT,
      ...session.state,
      configHash: configHash(session.config),
      options: mathsOptions(session.config),
      datasetKey: info.datasetKey,
      dataKey: info.dataKey ?? null,
      backend: info.backend,
      savedAt: new Date().toISOString(),
      files: await manifestOf(dir),
    };
    await writeFile(path.join(dir, CHECKPOINT_STATE_FILE), JSON.stringify(state, null, 2));
  });
  return target;
}

/** Load one model of a checkpoint ('g', 'd' or 'g_ema'); a damaged or non-finite model is a CheckpointDamagedError. */
export async function loadCheckpointModel(dir: string, name: ModelName): Promise<tf.LayersModel> {
  try {
    return await loadLayersModel(path.join(dir, name), { requireFinite: true });
  } catch (err) {
    if (err instanceof NonFiniteError)
      throw new CheckpointDamagedError(dir, `${name}/ weight ${err.weight} holds NaN or Inf`);
    throw new CheckpointDamagedError(dir, `cannot load ${name}/ (${(err as Error).message})`);
  }
}

/** Whether a checkpoint holds model `name` (by its manifest when it has one). */
export async function hasModel(dir: string, state: CheckpointState, name: ModelName): Promise<boolean> {
  if (state.files) return `${name}/model.json` in state.files;
  return Boolean(await stat(path.join(dir, name, 'model.json')).catch(() => null));
}

/** Refuse a checkpoint whose recorded maths options differ from `config`; options added since it was saved take their defaults. */
function checkOptionsMatch(dir: string, state: CheckpointState, config: TrainConfig): void {
  const mismatch = (detail: string) =>
    new UserError(
      `Checkpoint ${dir} was made with different model or training options than this config (${detail}); only run-control options (steps, sampleEvery, checkpointEvery, keepCheckpoints, backend, threads, the data folder) may change on resume.`,
    );
  if (state.options) {
    const saved = migrateMathsOptions(state.options, config);
    if (!saved) throw mismatch('its options are not valid in this version');
    const differ = mathsDifferences(saved, config);
    if (differ.length > 0) throw mismatch(`differs in ${differ.join(', ')}`);
  } else if (state.configHash !== configHashFormat1(config)) {
    throw mismatch('config hash differs');
  }
}

/** Everything needed to rebuild a GanSession from a checkpoint. */
export async function loadCheckpoint(
  dir: string,
  config: TrainConfig,
): Promise<SessionParts & { state: CheckpointState }> {
  const state = await readCheckpointState(dir);
  checkOptionsMatch(dir, state, config);
  await verifyCheckpointFiles(dir, state);
  if (config.ema.enabled && !(await hasModel(dir, state, 'g_ema')))
    throw new CheckpointDamagedError(dir, 'g_ema/ is missing, and this run keeps an EMA generator');
  const loaded: tf.LayersModel[] = [];
  try {
    const g = await loadCheckpointModel(dir, 'g');
    loaded.push(g);
    const d = await loadCheckpointModel(dir, 'd');
    loaded.push(d);
    const gEma = config.ema.enabled ? await loadCheckpointModel(dir, 'g_ema') : null;
    if (gEma) loaded.push(gEma);
    const optimizer = await loadOptimizerState(dir);
    return { g, d, gEma, optimizer, state };
  } catch (err) {
    for (const m of loaded) m.dispose();
    throw err;
  }
}

export type OptimizerStates = NonNullable<SessionParts['optimizer']>;

/** The optimizer moments and step counts of G and D in a checkpoint; damaged or non-finite state is a CheckpointDamagedError. */
export async function loadOptimizerState(dir: string): Promise<OptimizerStates> {
  let optimizerJson: Record<'g' | 'd', { step: number; specs: tf.io.WeightsManifestEntry[] }>;
  try {
    optimizerJson = JSON.parse(await readFile(path.join(dir, 'optimizer.json'), 'utf8'));
  } catch (err) {
    throw new CheckpointDamagedError(dir, `cannot read optimizer.json (${(err as Error).message})`);
  }
  const optimizer = {} as OptimizerStates;
  for (const name of ['g', 'd'] as const) {
    const entry = optimizerJson?.[name];
    if (!entry || !Array.isArray(entry.specs))
      throw new CheckpointDamagedError(dir, `optimizer.json has no state for ${MODEL_LABEL[name]}`);
    const { step, specs } = entry;
    const bytes = await readFile(path.join(dir, `optimizer-${name}.bin`)).catch(() => null);
    if (!bytes) throw new CheckpointDamagedError(dir, `optimizer-${name}.bin is missing`);
    const expected = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
    if (bytes.byteLength !== expected)
      throw new CheckpointDamagedError(dir, `optimizer-${name}.bin is ${bytes.byteLength} bytes, expected ${expected}`);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const bad = firstNonFinite(specs, buffer);
    if (bad) throw new CheckpointDamagedError(dir, `optimizer state ${bad} of ${MODEL_LABEL[name]} holds NaN or Inf`);
    optimizer[name] = { step, tensors: tf.io.decodeWeights(buffer, specs) };
  }
  return optimizer;
}

/** About how many bytes a checkpoint of this session takes on disk (weights, optimizer state, JSON). */
export function estimateCheckpointBytes(session: GanSession): number {
  const bytesOf = (shapes: number[][]) => shapes.reduce((sum, s) => sum + 4 * s.reduce((a, b) => a * b, 1), 0);
  let total = 0;
  for (const model of [session.g, session.d, session.gEma]) {
    if (model) total += bytesOf(model.weights.map((w) => w.shape as number[])) + 64 * 1024;
  }
  for (const opt of [session.optG, session.optD])
    total += bytesOf(Object.values(opt.getState().tensors).map((t) => t.shape));
  return total + 16 * 1024;
}

/** The same estimate before any session exists: from freshly built models, counting two optimizer slots per trainable weight (Adam's, the most any optimizer keeps). */
export function estimateCheckpointBytesFor(models: {
  g: tf.LayersModel;
  d: tf.LayersModel;
  gEma: tf.LayersModel | null;
}): number {
  const size = (ws: { shape: (number | null)[] }[]) =>
    ws.reduce((sum, w) => sum + 4 * (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
  let total = 16 * 1024;
  for (const model of [models.g, models.d, models.gEma]) if (model) total += size(model.weights) + 64 * 1024;
  for (const model of [models.g, models.d]) total += 2 * size(model.trainableWeights);
  return total;
}
