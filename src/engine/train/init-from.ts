/**
 * Fine-tuning: a new run that starts from another run's weights (G, D and
 * G-EMA; `gan-studio train --init-from`). The architectures must match weight
 * for weight, or the start is refused with a line naming the first
 * difference. Everything else starts fresh: the step count, noise and data
 * order; and, unless asked to carry them (InitOptions), the optimizer moments
 * (`--init-optimizer`) and the ADA probability (`--init-ada`; otherwise it
 * restarts at augment.probability, since a new data set needs its own).
 */
import * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import { loadCheckpointModel, loadOptimizerState, type OptimizerStates } from '../run/checkpoint';
import { readCheckpointState } from '../run/checkpoint-state';
import { resolveCheckpointDir } from '../run/run-dir';
import { copyWeights } from './ema';
import type { GanSession } from './session';

export const ORIGIN_FILE = 'origin.json';

/** What a fine-tuned run carries over besides the weights (both off by default). */
export interface InitOptions {
  /** Carry G's and D's optimizer state (moments and step counts); the optimizers must be of the same kind and shape. */
  optimizer?: boolean;
  /** Keep the source's ADA augmentation probability instead of restarting at augment.probability. */
  ada?: boolean;
}

export interface InitSource {
  dir: string;
  step: number;
  g: tf.LayersModel;
  d: tf.LayersModel;
  gEma: tf.LayersModel | null;
  /** Loaded only when the optimizer state is to be carried. */
  optimizer?: OptimizerStates;
  /** The augmentation probability the source had reached (undefined: it recorded none). */
  augmentP?: number;
}

/** Load the models of a run folder (its newest checkpoint) or a checkpoint folder, and its optimizer state when asked. */
export async function loadInitSource(from: string, options: InitOptions = {}): Promise<InitSource> {
  const dir = await resolveCheckpointDir(from);
  const state = await readCheckpointState(dir);
  const optimizer = options.optimizer ? await loadOptimizerState(dir) : undefined;
  const g = await loadCheckpointModel(dir, 'g');
  const d = await loadCheckpointModel(dir, 'd').catch((err) => {
    g.dispose();
    throw err;
  });
  const hasEma = Boolean(await stat(path.join(dir, 'g_ema', 'model.json')).catch(() => null));
  const gEma = hasEma ? await loadCheckpointModel(dir, 'g_ema') : null;
  return { dir, step: state.step, g, d, gEma, optimizer, augmentP: state.augmentP };
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

/** Copy the source's weights (and, when asked, optimizer state and ADA probability) into a fresh session, or refuse naming the difference. */
export function initSessionFrom(session: GanSession, source: InitSource, options: InitOptions = {}): void {
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
  if (options.optimizer) carryOptimizers(session, source);
  for (const [target, from] of pairs) copyWeights(target, from);
  if (options.ada && source.augmentP !== undefined) session.augmentP = source.augmentP;
}

/** Restore both optimizers from the source's state: refused, naming the optimizer, when the kinds or slots differ. */
function carryOptimizers(session: GanSession, source: InitSource): void {
  if (!source.optimizer)
    throw new Error('initSessionFrom: the optimizer state was not loaded (loadInitSource with optimizer: true)');
  for (const [opt, state, what, key] of [
    [session.optG, source.optimizer.g, 'G', 'g'],
    [session.optD, source.optimizer.d, 'D', 'd'],
  ] as const) {
    try {
      opt.setState(state.step, state.tensors);
    } catch (err) {
      throw new UserError(
        `Cannot carry the optimizer state from ${source.dir}: ${what}'s optimizer does not match this run's (${(err as Error).message}). Use the same ${key}.optimizer as that run, or start with fresh optimizers (no --init-optimizer).`,
      );
    }
  }
}

export function disposeSource(source: InitSource): void {
  source.g.dispose();
  source.d.dispose();
  source.gEma?.dispose();
  for (const o of [source.optimizer?.g, source.optimizer?.d]) if (o) tf.dispose(Object.values(o.tensors));
}
