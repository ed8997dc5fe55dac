/**
 * The held-out reals of a run: a fixed share of the data set that training
 * never sees, so the metrics (and the copying score) compare generated images
 * with unseen ones. Chosen once when a run starts, from the run's seed, and
 * recorded in `heldout.json`, so a resumed run keeps the same split. Small
 * data sets are not split (every image is worth training on): the metrics
 * then compare with the training images, and the split says so.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { toBytes } from '../image/png';
import { Rng, deriveSeed } from '../rng';
import type { TrainingData } from '../train/session';
import type { ImageSet } from './image-set';

const HELDOUT_FILE = 'heldout.json';
/** Below this many images a data set is not split. */
const MIN_SPLIT_COUNT = 200;

export interface HoldoutSplit {
  format: 1;
  /** Images in the data set when the split was made. */
  datasetCount: number;
  /** Indices (into the data set) of the held-out images, ascending; every image when `tiny`. */
  heldout: number[];
  /** True when the data set was too small to split: nothing is held out of training. */
  tiny: boolean;
  /** In words, for the user. */
  note: string;
}

/** The split of a data set of `count` images: `share` of it (at most `max`), drawn from `seed`. Pure. */
export function chooseHoldout(count: number, share: number, max: number, seed: number): HoldoutSplit {
  if (!Number.isInteger(count) || count < 2)
    throw new RangeError(`chooseHoldout: need at least 2 images, got ${count}`);
  if (!(share > 0 && share < 1)) throw new RangeError(`chooseHoldout: share must be in (0, 1), got ${share}`);
  if (count < MIN_SPLIT_COUNT) {
    return {
      format: 1,
      datasetCount: count,
      heldout: Array.from({ length: count }, (_, i) => i),
      tiny: true,
      note: `The data set has ${count} images (under ${MIN_SPLIT_COUNT}): none is held out, so the metrics compare samples with the training images themselves.`,
    };
  }
  const n = Math.max(2, Math.min(max, Math.round(count * share)));
  const order = new Rng(deriveSeed(seed, 'metrics/holdout')).permutation(count);
  const heldout = Array.from(order.subarray(0, n)).sort((a, b) => a - b);
  return {
    format: 1,
    datasetCount: count,
    heldout,
    tiny: false,
    note: `${n} of ${count} images are held out of training for the metrics.`,
  };
}

/** The indices training uses: all but the held-out ones (all of them for a tiny set). */
export function trainingIndices(split: HoldoutSplit): number[] {
  if (split.tiny) return Array.from({ length: split.datasetCount }, (_, i) => i);
  const held = new Set(split.heldout);
  const out: number[] = [];
  for (let i = 0; i < split.datasetCount; i++) if (!held.has(i)) out.push(i);
  return out;
}

/** A view of `data` holding only `indices` (labels follow). */
export function subsetData(data: TrainingData, indices: number[]): TrainingData {
  const labels = data.labels ? Int32Array.from(indices, (i) => data.labels![i]) : undefined;
  return {
    count: indices.length,
    batch: (picked, out) =>
      data.batch(
        Array.from(picked, (k) => indices[k]),
        out,
      ),
    labels,
    classNames: data.classNames,
  };
}

/** The images `indices` of `data` as bytes, in [0, 255] (exact: the data's floats are byte/127.5 − 1). */
export function imagesOf(data: TrainingData, indices: number[], size: number, channels: number, chunk = 256): ImageSet {
  const per = size * size * channels;
  const bytes = new Uint8Array(indices.length * per);
  for (let start = 0; start < indices.length; start += chunk) {
    const part = indices.slice(start, start + chunk);
    bytes.set(toBytes(data.batch(part, new Float32Array(part.length * per))), start * per);
  }
  return { count: indices.length, size, channels, bytes };
}

export async function readHoldout(runDir: string): Promise<HoldoutSplit | null> {
  try {
    const split = JSON.parse(await readFile(path.join(runDir, HELDOUT_FILE), 'utf8')) as HoldoutSplit;
    if (split.format !== 1 || !Array.isArray(split.heldout)) return null;
    return split;
  } catch {
    return null;
  }
}

export async function writeHoldout(runDir: string, split: HoldoutSplit): Promise<void> {
  await writeFileAtomic(path.join(runDir, HELDOUT_FILE), JSON.stringify(split));
}
