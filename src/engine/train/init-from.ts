/**
 * Fine-tuning: a new run that starts from another run's weights (G, D and
 * G-EMA; `gan-studio train --init-from`). The architectures must match weight
 * for weight, or the start is refused with a line naming the first
 * difference. Everything else starts fresh: optimizer moments, step count,
 * noise and data order, and the ADA probability (augment.probability).
 */
import type * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import { loadCheckpointModel, readCheckpointState } from '../run/checkpoint';
import { resolveCheckpointDir } from '../run/run-dir';
import { copyWeights } from './ema';
import type { GanSession } from './session';

export const ORIGIN_FILE = 'origin.json';

export interface InitSource {
  dir: string;
  step: number;
  g: tf.LayersModel;
  d: tf.LayersModel;
  gEma: tf.LayersModel | null;
}

/** Load the models of a run folder (its newest checkpoint) or a checkpoint folder. */
export async function loadInitSource(from: string): Promise<InitSource> {
  const dir = await resolveCheckpointDir(from);
  const state = await readCheckpointState(dir);
  const g = await loadCheckpointModel(dir, 'g');
  const d = await loadCheckpointModel(dir, 'd').catch((err) => {
    g.dispose();
    throw err;
  });
  const hasEma = Boolean(await stat(path.join(dir, 'g_ema', 'model.json')).catch(() => null));
  const gEma = hasEma ? await loadCheckpointModel(dir, 'g_ema') : null;
  return { dir, step: state.step, g, d, gEma };
}

/** The first way `source` differs from `target`, weight by weight, in words; null when they match. */
export function architectureDifference(target: tf.LayersModel, source: tf.LayersModel, what: string): string | null {
  const t = target.weights;
  const s = source.weights;
  const n = Math.min(t.length, s.length);
  for (let i = 0; i < n; i++) {
    const a = t[i].shape.join('×');
    const b = s[i].shape.join('×');
    if (a !== b)
      return `${what} weight ${i + 1} (${t[i].originalName}) is ${a} in the new run but ${b} in the checkpoint (${s[i].originalName})`;
  }
  if (t.length !== s.length) return `${what} has ${t.length} weights in the new run but ${s.length} in the checkpoint`;
  return null;
}

/** Copy the source's weights into a fresh session, or refuse naming the difference. */
export function initSessionFrom(session: GanSession, source: InitSource): void {
  const pairs: [tf.LayersModel, tf.LayersModel, string][] = [
    [session.g, source.g, 'G'],
    [session.d, source.d, 'D'],
  ];
  if (session.gEma) pairs.push([session.gEma, source.gEma ?? source.g, 'G-EMA']);
  for (const [target, from, what] of pairs) {
    const diff = architectureDifference(target, from, what);
    if (diff)
      throw new UserError(
        `Cannot initialise from ${source.dir}: the architectures differ: ${diff}. Use the same model options (model.*, g.*, d.*, conditional.*) as that run.`,
      );
  }
  for (const [target, from] of pairs) copyWeights(target, from);
}

export function disposeSource(source: InitSource): void {
  source.g.dispose();
  source.d.dispose();
  source.gEma?.dispose();
}
