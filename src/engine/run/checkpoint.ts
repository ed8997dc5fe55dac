/**
 * Checkpoints: `checkpoints/step-NNNNNN/` holding
 *   g/, d/, g_ema/          tfjs LayersModel folders (model.json + weights.bin)
 *   optimizer.json + optimizer-g.bin + optimizer-d.bin   Adam moments and step counts
 *   state.json              step, RNG state, data cursor, config hash (written last)
 * The folder is built under a temporary name and renamed into place, so a
 * checkpoint either exists whole or not at all.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { RESUMABLE_KEYS } from '../../shared/run';
import { UserError } from '../errors';
import { writeDirAtomic } from '../io/atomic';
import { loadLayersModel, saveLayersModel } from '../io/layers-model-fs';
import type { GanSession, SessionParts, SessionState } from '../train/session';
import { CHECKPOINTS_DIR, CHECKPOINT_STATE_FILE, stepName } from './run-dir';

export const CHECKPOINT_FORMAT = 1;

export interface CheckpointState extends SessionState {
  format: number;
  configHash: string;
  /** The dataset cache key the run trained on, to warn when the folder changed. */
  datasetKey: string | null;
  backend: string;
  savedAt: string;
}

/** Options that define the model and its training maths; the resumable keys and the run's name may change on resume. */
export function configHash(config: TrainConfig): string {
  const rest: Record<string, unknown> = { ...config };
  for (const key of [...RESUMABLE_KEYS, 'name']) delete rest[key];
  return createHash('sha256').update(stableJson(rest)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface SaveInfo {
  datasetKey: string | null;
  backend: string;
}

/** Save the session as `checkpoints/step-NNNNNN/` of `runDir`; returns the folder. An existing checkpoint of the same step is kept as it is. */
export async function saveCheckpoint(runDir: string, session: GanSession, info: SaveInfo): Promise<string> {
  const target = path.join(runDir, CHECKPOINTS_DIR, stepName(session.step));
  if (await stat(target).catch(() => null)) return target;
  await writeDirAtomic(target, async (dir) => {
    for (const [name, model] of [['g', session.g], ['d', session.d], ['g_ema', session.gEma]] as const) {
      if (!model) continue;
      const sub = path.join(dir, name);
      await mkdir(sub);
      await saveLayersModel(model, sub);
    }
    const optimizer: Record<string, { step: number; specs: tf.io.WeightsManifestEntry[] }> = {};
    for (const [name, opt] of [['g', session.optG], ['d', session.optD]] as const) {
      const { step, tensors } = opt.getState();
      const { data, specs } = await tf.io.encodeWeights(tensors);
      await writeFile(path.join(dir, `optimizer-${name}.bin`), new Uint8Array(data));
      optimizer[name] = { step, specs };
    }
    await writeFile(path.join(dir, 'optimizer.json'), JSON.stringify(optimizer));
    const state: CheckpointState = {
      format: CHECKPOINT_FORMAT,
      ...session.state,
      configHash: configHash(session.config),
      datasetKey: info.datasetKey,
      backend: info.backend,
      savedAt: new Date().toISOString(),
    };
    await writeFile(path.join(dir, CHECKPOINT_STATE_FILE), JSON.stringify(state, null, 2));
  });
  return target;
}

/** Read a checkpoint's state.json, with a clear error when it is missing or damaged. */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const file = path.join(dir, CHECKPOINT_STATE_FILE);
  let state: CheckpointState;
  try {
    state = JSON.parse(await readFile(file, 'utf8')) as CheckpointState;
  } catch (err) {
    throw new UserError(`Corrupt checkpoint ${dir}: cannot read ${CHECKPOINT_STATE_FILE} (${(err as Error).message}).`);
  }
  if (state.format !== CHECKPOINT_FORMAT || !Number.isInteger(state.step)) {
    throw new UserError(`Corrupt checkpoint ${dir}: ${CHECKPOINT_STATE_FILE} is not a GAN Studio checkpoint state (format ${String(state.format)}).`);
  }
  return state;
}

/** Load one model of a checkpoint ('g', 'd' or 'g_ema'); a damaged model is a UserError. */
export async function loadCheckpointModel(dir: string, name: 'g' | 'd' | 'g_ema'): Promise<tf.LayersModel> {
  try {
    return await loadLayersModel(path.join(dir, name));
  } catch (err) {
    throw new UserError(`Corrupt checkpoint ${dir}: cannot load ${name}/ (${(err as Error).message}).`);
  }
}

/** Everything needed to rebuild a GanSession from a checkpoint. */
export async function loadCheckpoint(dir: string, config: TrainConfig): Promise<SessionParts & { state: CheckpointState }> {
  const state = await readCheckpointState(dir);
  if (state.configHash !== configHash(config)) {
    throw new UserError(`Checkpoint ${dir} was made with different model or training options than this config; only ${RESUMABLE_KEYS.join(', ')} may change on resume.`);
  }
  const loaded: tf.LayersModel[] = [];
  try {
    const g = await loadCheckpointModel(dir, 'g');
    loaded.push(g);
    const d = await loadCheckpointModel(dir, 'd');
    loaded.push(d);
    const gEma = config.ema.enabled ? await loadCheckpointModel(dir, 'g_ema') : null;
    if (gEma) loaded.push(gEma);
    let optimizerJson: Record<'g' | 'd', { step: number; specs: tf.io.WeightsManifestEntry[] }>;
    try {
      optimizerJson = JSON.parse(await readFile(path.join(dir, 'optimizer.json'), 'utf8'));
    } catch (err) {
      throw new UserError(`Corrupt checkpoint ${dir}: cannot read optimizer.json (${(err as Error).message}).`);
    }
    const optimizer = {} as NonNullable<SessionParts['optimizer']>;
    for (const name of ['g', 'd'] as const) {
      const { step, specs } = optimizerJson[name];
      const bytes = await readFile(path.join(dir, `optimizer-${name}.bin`));
      const expected = specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
      if (bytes.byteLength !== expected) throw new UserError(`Corrupt checkpoint ${dir}: optimizer-${name}.bin is ${bytes.byteLength} bytes, expected ${expected}.`);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      optimizer[name] = { step, tensors: tf.io.decodeWeights(buffer, specs) };
    }
    return { g, d, gEma, optimizer, state };
  } catch (err) {
    for (const m of loaded) m.dispose();
    throw err;
  }
}
