/**
 * Which options a checkpoint is bound to, and how a checkpoint saved by an
 * older version is read by this one.
 *
 * A checkpoint records the options that change the training maths (the model,
 * the losses, the optimizers, the data preprocessing, the seed). Options that
 * only steer the run (length, output cadence, backend, names, where the data
 * folder lies, the recovery policy) are free to change on resume. A checkpoint
 * stores those maths options themselves, not only a hash of them: an option
 * added by a later version is then filled in with its default when an old
 * checkpoint is read, and a real mismatch can name the options that differ.
 */
import { createHash } from 'node:crypto';
import { TrainConfigSchema, type TrainConfig } from '../../shared/config';
import { RUN_CONTROL_KEYS } from '../../shared/run';

/**
 * Options (dotted paths) that never change the training maths: every run-control key a resume
 * may change (the wasm backend's thread pool, for one, gives bit-identical results for any size),
 * and these.
 */
const NON_MATHS_OPTIONS = [
  ...RUN_CONTROL_KEYS,
  'name',
  'preset',
  'gridSize',
  'data.dir',
  'recovery',
  // The metrics never touch training; the held-out split a run trains without is recorded in heldout.json.
  'metrics',
] as const;

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

function without(tree: Tree, paths: readonly string[]): Tree {
  const out = structuredClone(tree);
  for (const p of paths) {
    const parts = p.split('.');
    let node: unknown = out;
    for (const part of parts.slice(0, -1)) node = isTree(node) ? node[part] : undefined;
    if (isTree(node)) delete node[parts[parts.length - 1]];
  }
  return out;
}

/** The options of `config` that a checkpoint is bound to. */
export function mathsOptions(config: TrainConfig): Tree {
  return without(config as unknown as Tree, NON_MATHS_OPTIONS);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isTree(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const hash16 = (tree: Tree): string => createHash('sha256').update(stableJson(tree)).digest('hex').slice(0, 16);

/** A short fingerprint of the maths options (shown to users, and a quick equality test). */
export function configHash(config: TrainConfig): string {
  return hash16(mathsOptions(config));
}

/** The options G and D both had in that version, in its order. */
const FORMAT1_NET = ['optimizer', 'lr', 'beta1', 'beta2', 'rho', 'momentum', 'norm', 'activation', 'leakySlope'];

/**
 * Format-1 checkpoints (GAN Studio 0.1.0 before this change) kept only a hash,
 * over every option of that version except the run-control ones. These are
 * the options that version had; newer options are left out before hashing,
 * so a format-1 checkpoint still matches its own run after options were added.
 */
const FORMAT1_OPTIONS: Record<string, readonly string[]> = {
  '': [
    'name',
    'preset',
    'seed',
    'backend',
    'steps',
    'batchSize',
    'loss',
    'weightClip',
    'dSteps',
    'gSteps',
    'sampleEvery',
    'checkpointEvery',
    'keepCheckpoints',
    'gridSize',
  ],
  penalty: ['type', 'weight', 'every'],
  labels: ['smoothing', 'real', 'realMin', 'realMax', 'flip'],
  instanceNoise: ['sigma', 'decay', 'steps'],
  augment: ['translation', 'cutout', 'color', 'probability', 'ada', 'adaTarget', 'adaSpeed'],
  conditional: ['enabled', 'numClasses', 'embedDim', 'discriminator', 'batchNorm'],
  data: ['dir', 'resize', 'background', 'minSize'],
  model: ['arch', 'resolution', 'channels', 'latentDim', 'latentDist', 'baseWidth'],
  g: [...FORMAT1_NET, 'upsample', 'kernelSize', 'spectralNorm', 'dropout', 'tanhOutput'],
  d: [...FORMAT1_NET, 'downsample', 'kernelSize', 'spectralNorm', 'minibatchStd', 'minibatchGroup'],
  ema: ['enabled', 'decay', 'startStep', 'warmup'],
};
const FORMAT1_RUN_CONTROL = ['steps', 'sampleEvery', 'checkpointEvery', 'keepCheckpoints', 'backend', 'name'];

/** The hash a format-1 checkpoint recorded for `config`. */
export function configHashFormat1(config: TrainConfig): string {
  const tree = config as unknown as Tree;
  const pruned: Tree = {};
  for (const [group, keys] of Object.entries(FORMAT1_OPTIONS)) {
    const source = group ? tree[group] : tree;
    if (!isTree(source)) continue;
    const target: Tree = group ? {} : pruned;
    for (const k of keys) if (k in source && !(group === '' && FORMAT1_RUN_CONTROL.includes(k))) target[k] = source[k];
    if (group) pruned[group] = target;
  }
  return hash16(pruned);
}

function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (isTree(value)) {
    for (const [k, v] of Object.entries(value))
      for (const [p, x] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, x);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

/**
 * The maths options a checkpoint recorded, read by this version: options it
 * does not know take their defaults today. Returns null when the recorded
 * options no longer form a valid config (an option removed or renamed with no
 * migration).
 */
export function migrateMathsOptions(saved: Tree, current: TrainConfig): Tree | null {
  const controls: Tree = {};
  const currentTree = current as unknown as Tree;
  for (const p of NON_MATHS_OPTIONS) {
    const [head, tail] = p.split('.');
    if (!(head in currentTree)) continue;
    if (tail === undefined) controls[head] = currentTree[head];
    else
      controls[head] = { ...(isTree(controls[head]) ? controls[head] : {}), [tail]: (currentTree[head] as Tree)[tail] };
  }
  const merged: Tree = { ...structuredClone(saved) };
  for (const [k, v] of Object.entries(controls))
    merged[k] = isTree(v) && isTree(merged[k]) ? { ...merged[k], ...v } : v;
  const parsed = TrainConfigSchema.safeParse(merged);
  return parsed.success ? mathsOptions(parsed.data) : null;
}

/** Dotted paths of the maths options that differ between a checkpoint's (migrated) options and `config`. */
export function mathsDifferences(saved: Tree, config: TrainConfig): string[] {
  const a = leaves(saved);
  const b = leaves(mathsOptions(config));
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}
