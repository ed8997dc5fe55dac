/**
 * The memorization check: for each generated image, its nearest training
 * images, in the metrics' random-net features and in pixel space, with
 * distances; and a run-level copying score.
 */
import * as tf from '@tensorflow/tfjs';
import { featureNet, imageFeatures, standardise, standardiser, type FeatureNet, type Standardiser } from './features';
import { toUnit, type ImageSet } from './image-set';

export interface Neighbour {
  /** Index into the searched set. */
  index: number;
  distance: number;
}

/** At most this many queries are searched in plain JavaScript. */
const FEW_QUERIES = 4;

function insert(list: Neighbour[], kk: number, index: number, d: number): void {
  if (list.length < kk || d < list[list.length - 1].distance) {
    let at = list.length;
    while (at > 0 && list[at - 1].distance > d) at--;
    list.splice(at, 0, { index, distance: d });
    if (list.length > kk) list.pop();
  }
}

function nearestByLoop(
  query: Float32Array,
  base: Float32Array,
  dim: number,
  n: number,
  m: number,
  kk: number,
  best: Neighbour[][],
): Neighbour[][] {
  for (let i = 0; i < n; i++) {
    const qi = i * dim;
    for (let j = 0; j < m; j++) {
      const bj = j * dim;
      let d = 0;
      for (let t = 0; t < dim; t++) {
        const diff = query[qi + t] - base[bj + t];
        d += diff * diff;
      }
      insert(best[i], kk, j, d);
    }
  }
  for (const list of best) for (const nb of list) nb.distance = Math.sqrt(nb.distance);
  return best;
}

/** The k nearest rows of `base` [m, dim] for each row of `query` [n, dim], by Euclidean distance, nearest first. */
export async function nearestNeighbours(
  query: Float32Array,
  base: Float32Array,
  dim: number,
  k: number,
  chunk = 1024,
): Promise<Neighbour[][]> {
  const n = query.length / dim;
  const m = base.length / dim;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number ≥ 1, got ${k}`);
  const kk = Math.min(k, m);
  const best: Neighbour[][] = Array.from({ length: n }, () => []);
  // A few queries (the studio's click): a plain loop beats uploading the whole base to a backend each time.
  if (n <= FEW_QUERIES) return nearestByLoop(query, base, dim, n, m, kk, best);
  const q = tf.tensor2d(query, [n, dim]);
  const qq = tf.tidy(() => tf.sum(tf.square(q), 1, true)); // [n, 1]
  try {
    for (let start = 0; start < m; start += chunk) {
      const rows = Math.min(chunk, m - start);
      // ‖q − b‖² = ‖q‖² + ‖b‖² − 2 q·b, for this chunk of the base: [n, rows]
      const d2 = tf.tidy(() => {
        const b = tf.tensor2d(base.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return tf.relu(
          tf.sub(tf.add(qq, tf.sum(tf.square(b), 1).reshape([1, rows])), tf.mul(2, tf.matMul(q, b, false, true))),
        );
      });
      let values: Float32Array;
      try {
        values = (await d2.data()) as Float32Array; // async: webgpu in Node has no synchronous read-back
      } finally {
        d2.dispose();
      }
      for (let i = 0; i < n; i++) {
        const list = best[i];
        for (let j = 0; j < rows; j++) insert(list, kk, start + j, values[i * rows + j]);
      }
    }
  } finally {
    q.dispose();
    qq.dispose();
  }
  for (const list of best) for (const nb of list) nb.distance = Math.sqrt(nb.distance);
  return best;
}

export interface NearestResult {
  /** Per query image: the k nearest in features (seed 1, standardised by the training set) and in pixels (RMS distance in [-1, 1]). */
  features: Neighbour[][];
  pixels: Neighbour[][];
}

/** The seed of the feature net the memorization check searches in. */
export const NEAREST_FEATURE_SEED = 1;

/** The training set's features as the search needs them: standardised by their own statistics. */
export interface FeatureBase {
  net: FeatureNet;
  standardiser: Standardiser;
  /** [count, net.dim], standardised, in the training set's order. */
  rows: Float32Array;
}

/** A search base from the training images' raw features (e.g. from the feature cache). */
export function featureBase(net: FeatureNet, raw: Float32Array): FeatureBase {
  const s = standardiser(raw, net.dim);
  return { net, standardiser: s, rows: standardise(raw, s) };
}

/** Queries' features, standardised as the base's. */
export async function queryFeatures(base: FeatureBase, queries: ImageSet): Promise<Float32Array> {
  return standardise(await imageFeatures(base.net, queries), base.standardiser);
}

/**
 * Nearest images of `training` for every image of `queries`. `base` is the
 * training images' features when known (the feature cache); without it they
 * are computed here, which is the slow part of a search.
 */
export async function nearestImages(
  queries: ImageSet,
  training: ImageSet,
  k: number,
  base?: FeatureBase,
): Promise<NearestResult> {
  if (!base) {
    const net = featureNet(NEAREST_FEATURE_SEED, training.size, training.channels);
    base = featureBase(net, await imageFeatures(net, training));
  }
  if (base.rows.length !== training.count * base.net.dim)
    throw new RangeError(
      `nearestImages: the feature base has ${base.rows.length / base.net.dim} rows for ${training.count} images`,
    );
  const features = await nearestNeighbours(await queryFeatures(base, queries), base.rows, base.net.dim, k);
  const dim = training.size * training.size * training.channels;
  const pixels = await nearestNeighbours(toUnit(queries), unitPixels(training), dim, k);
  // RMS per pixel, so the number reads the same at every resolution.
  for (const list of pixels) for (const nb of list) nb.distance /= Math.sqrt(dim);
  return { features, pixels };
}

/** A training set's pixels as floats, kept while the set is (the studio searches one set click after click). */
const unitCache = new WeakMap<ImageSet, Float32Array>();
function unitPixels(set: ImageSet): Float32Array {
  let unit = unitCache.get(set);
  if (!unit || unit.length !== set.bytes.length) {
    unit = toUnit(set);
    unitCache.set(set, unit);
  }
  return unit;
}

/** The distance below which only `q` of the held-out images lie from the training set. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
}

const COPYING_QUANTILE = 0.05;

/**
 * The share of samples whose nearest training image is closer than all but
 * COPYING_QUANTILE of the held-out reals are to the training set. A generator
 * that draws new images from the data distribution scores about 0.05; one
 * that reproduces its training images scores near 1. (./copying.ts applies it.)
 */
export function copyingScore(
  sampleNearest: number[],
  heldoutNearest: number[],
  q = COPYING_QUANTILE,
): { score: number; threshold: number } {
  if (heldoutNearest.length === 0 || sampleNearest.length === 0)
    throw new RangeError('copying score needs samples and held-out images');
  const threshold = quantile(heldoutNearest, q);
  return { score: sampleNearest.filter((d) => d < threshold).length / sampleNearest.length, threshold };
}
