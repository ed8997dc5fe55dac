/**
 * Multi-scale sliced Wasserstein distance (SWD), after PGGAN (Karras et al.
 * 2018, metrics/sliced_wasserstein.py):
 *   - a Laplacian pyramid of each image (pyramid.ts);
 *   - at each level, 128 random 7×7 neighbourhoods per image, flattened to
 *     descriptors, then normalised per channel (mean 0, std 1 over the set);
 *   - 4 repeats × 128 random unit directions (fixed seed); each set's
 *     descriptors are projected on them and sorted, and the distance is the
 *     mean absolute difference of the sorted projections, averaged over the
 *     repeats and reported ×10³ as in the paper.
 * Lower is better; the mean over levels is the headline figure.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { assertComparable, toUnit, type ImageSet } from './image-set';
import { radixSortFloat32 } from './radix-sort';
import { laplacianPyramid, pyramidSizes, type Planes } from './pyramid';

const PATCH = 7;
const PATCHES_PER_IMAGE = 128;
const DIR_REPEATS = 4;
const DIRS_PER_REPEAT = 128;

export interface SwdOptions {
  /** Seed of the patch positions and the projection directions. */
  seed?: number;
  patchesPerImage?: number;
  dirRepeats?: number;
  dirsPerRepeat?: number;
}

export interface SwdResult {
  /** Mean over the levels (×10³). */
  swd: number;
  /** Per level, finest first (×10³). */
  levels: number[];
  /** Image side at each level. */
  sizes: number[];
}

/** Random 7×7 neighbourhoods of one pyramid level, normalised per channel: [count·patches, 49·channels] (fewer patches where the level has fewer positions). */
function patchDescriptors(level: Planes, patchesPerImage: number, rng: Rng): Float32Array {
  const { count, size, channels, data } = level;
  if (size < PATCH) throw new Error(`level of ${size} px is smaller than a ${PATCH}×${PATCH} patch`);
  const dim = PATCH * PATCH * channels;
  // Where an image has no more positions than patches (a 7- or 8-px level), take each position once:
  // the same distribution as drawing at random, without sorting duplicates.
  const side = size - PATCH + 1;
  const every = side * side <= patchesPerImage;
  const perImage = every ? side * side : patchesPerImage;
  const out = new Float32Array(count * perImage * dim);
  let o = 0;
  for (let n = 0; n < count; n++) {
    for (let p = 0; p < perImage; p++) {
      const x0 = every ? p % side : rng.int(side);
      const y0 = every ? Math.floor(p / side) : rng.int(side);
      for (let y = 0; y < PATCH; y++) {
        const start = ((n * size + y0 + y) * size + x0) * channels;
        out.set(data.subarray(start, start + PATCH * channels), o);
        o += PATCH * channels;
      }
    }
  }
  // Per-channel normalisation over every descriptor of the set (channel = index mod channels).
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let sq = 0;
    let k = 0;
    for (let i = c; i < out.length; i += channels) {
      sum += out[i];
      sq += out[i] * out[i];
      k++;
    }
    const mean = sum / k;
    const std = Math.sqrt(Math.max(sq / k - mean * mean, 0)) || 1;
    for (let i = c; i < out.length; i += channels) out[i] = (out[i] - mean) / std;
  }
  return out;
}

/** Unit-length random directions, [dim, n] column-major in a row-major array. */
function randomDirections(dim: number, n: number, rng: Rng): Float32Array {
  const dirs = rng.normal(new Float32Array(dim * n));
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += dirs[i * n + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < dim; i++) dirs[i * n + j] /= norm;
  }
  return dirs;
}

/** Each column of the [rows, cols] projections, sorted; thinned to `keep` evenly spaced quantiles when longer. */
function sortedColumns(proj: Float32Array, rows: number, cols: number, keep = Infinity): Float32Array[] {
  const out: Float32Array[] = [];
  for (let j = 0; j < cols; j++) {
    const col = new Float32Array(rows);
    for (let i = 0; i < rows; i++) col[i] = proj[i * cols + j];
    const sorted = radixSortFloat32(col);
    if (rows <= keep) out.push(sorted);
    else out.push(Float32Array.from({ length: keep }, (_, i) => sorted[Math.floor(((i + 0.5) * rows) / keep)]));
  }
  return out;
}

/** Mean |a − b| of two sorted samples, matched by quantile when their sizes differ. */
function sortedDistance(a: Float32Array, b: Float32Array): number {
  const m = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < m; i++) {
    const ia = a.length === m ? i : Math.floor(((i + 0.5) * a.length) / m);
    const ib = b.length === m ? i : Math.floor(((i + 0.5) * b.length) / m);
    s += Math.abs(a[ia] - b[ib]);
  }
  return s / m;
}

/** The projections of one set of descriptors on the random directions of every repeat, each column sorted. */
async function sortedProjections(
  desc: Float32Array,
  dim: number,
  rng: Rng,
  repeats = DIR_REPEATS,
  dirsPerRepeat = DIRS_PER_REPEAT,
  keep = Infinity,
): Promise<Float32Array[][]> {
  const n = desc.length / dim;
  const out: Float32Array[][] = [];
  for (let r = 0; r < repeats; r++) {
    const dirs = randomDirections(dim, dirsPerRepeat, rng);
    // Read back outside tidy: tidy walks a returned typed array element by element looking for tensors.
    const projected = tf.tidy(() => tf.matMul(tf.tensor2d(desc, [n, dim]), tf.tensor2d(dirs, [dim, dirsPerRepeat])));
    let values: Float32Array;
    try {
      values = (await projected.data()) as Float32Array; // async: webgpu in Node has no synchronous read-back
    } finally {
      projected.dispose();
    }
    out.push(sortedColumns(values, n, dirsPerRepeat, keep));
  }
  return out;
}

/** SWD (×10³) from two sets' sorted projections on the same directions: mean over directions, then repeats. */
function distanceOfSorted(a: Float32Array[][], b: Float32Array[][]): number {
  let total = 0;
  for (let r = 0; r < a.length; r++) {
    let s = 0;
    for (let j = 0; j < a[r].length; j++) s += sortedDistance(a[r][j], b[r][j]);
    total += s / a[r].length;
  }
  return (total / a.length) * 1e3;
}

/** A set prepared once for many comparisons (the held-out reals): its sorted projections at every level. */
export interface SwdReference {
  size: number;
  channels: number;
  sizes: number[];
  levels: Float32Array[][][];
  options: Required<SwdOptions>;
}

function fullOptions(options: SwdOptions): Required<SwdOptions> {
  return {
    seed: options.seed ?? 0,
    patchesPerImage: options.patchesPerImage ?? PATCHES_PER_IMAGE,
    dirRepeats: options.dirRepeats ?? DIR_REPEATS,
    dirsPerRepeat: options.dirsPerRepeat ?? DIRS_PER_REPEAT,
  };
}

/** Every level's sorted projections of a set. The same seed gives the same patch positions and directions for any set. */
async function projectSet(set: ImageSet, o: Required<SwdOptions>, keep = Infinity): Promise<Float32Array[][][]> {
  const pyramid = laplacianPyramid({ count: set.count, size: set.size, channels: set.channels, data: toUnit(set) });
  const dim = PATCH * PATCH * set.channels;
  // The same patch positions in every set (common random numbers): a comparison sees image
  // content, not the luck of where patches fell, and a set against itself gives exactly 0.
  const out: Float32Array[][][] = [];
  for (const [l, level] of pyramid.entries()) {
    const desc = patchDescriptors(level, o.patchesPerImage, new Rng(o.seed * 7919 + l + 1));
    out.push(await sortedProjections(desc, dim, new Rng(o.seed * 104729 + l), o.dirRepeats, o.dirsPerRepeat, keep));
  }
  return out;
}

/** Quantiles kept per sorted column of a reference: bounds its memory (512 columns per level) at a negligible loss. */
const REFERENCE_QUANTILES = 8192;

export async function swdReference(set: ImageSet, options: SwdOptions = {}): Promise<SwdReference> {
  const o = fullOptions(options);
  return {
    size: set.size,
    channels: set.channels,
    sizes: pyramidSizes(set.size),
    levels: await projectSet(set, o, REFERENCE_QUANTILES),
    options: o,
  };
}

/** Multi-scale SWD of a set against a prepared reference. */
export async function swdAgainst(reference: SwdReference, set: ImageSet): Promise<SwdResult> {
  if (set.size !== reference.size || set.channels !== reference.channels) {
    throw new Error(
      `cannot compare ${set.size}×${set.size}×${set.channels} images with ${reference.size}×${reference.size}×${reference.channels}`,
    );
  }
  const projected = await projectSet(set, reference.options);
  const levels = projected.map((p, l) => distanceOfSorted(p, reference.levels[l]));
  return { swd: levels.reduce((s, v) => s + v, 0) / levels.length, levels, sizes: reference.sizes };
}

/** Multi-scale SWD between two image sets of the same geometry (sizes may differ). */
export async function multiScaleSwd(a: ImageSet, b: ImageSet, options: SwdOptions = {}): Promise<SwdResult> {
  assertComparable(a, b);
  return swdAgainst(await swdReference(b, options), a);
}
