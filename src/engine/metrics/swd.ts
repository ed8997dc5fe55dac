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

export const PATCH = 7;
export const PATCHES_PER_IMAGE = 128;
export const DIR_REPEATS = 4;
export const DIRS_PER_REPEAT = 128;

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
export function patchDescriptors(level: Planes, patchesPerImage: number, rng: Rng): Float32Array {
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

/** Each column of the [rows, cols] projections, sorted. */
function sortedColumns(proj: Float32Array, rows: number, cols: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let j = 0; j < cols; j++) {
    const col = new Float32Array(rows);
    for (let i = 0; i < rows; i++) col[i] = proj[i * cols + j];
    out.push(radixSortFloat32(col));
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

/** Sliced Wasserstein distance of two descriptor sets of dimension `dim` (×10³). */
export function slicedWasserstein(a: Float32Array, b: Float32Array, dim: number, rng: Rng, repeats = DIR_REPEATS, dirsPerRepeat = DIRS_PER_REPEAT): number {
  const na = a.length / dim;
  const nb = b.length / dim;
  let total = 0;
  for (let r = 0; r < repeats; r++) {
    const dirs = randomDirections(dim, dirsPerRepeat, rng);
    // Read back outside tidy: tidy walks a returned typed array element by element looking for tensors.
    const projected = tf.tidy(() => {
      const d = tf.tensor2d(dirs, [dim, dirsPerRepeat]);
      return [tf.matMul(tf.tensor2d(a, [na, dim]), d), tf.matMul(tf.tensor2d(b, [nb, dim]), d)];
    });
    const [pa, pb] = projected.map((t) => t.dataSync() as Float32Array);
    tf.dispose(projected);
    const sa = sortedColumns(pa, na, dirsPerRepeat);
    const sb = sortedColumns(pb, nb, dirsPerRepeat);
    let s = 0;
    for (let j = 0; j < dirsPerRepeat; j++) s += sortedDistance(sa[j], sb[j]);
    total += s / dirsPerRepeat;
  }
  return (total / repeats) * 1e3;
}

/** Multi-scale SWD between two image sets of the same geometry (sizes may differ). */
export function multiScaleSwd(a: ImageSet, b: ImageSet, options: SwdOptions = {}): SwdResult {
  assertComparable(a, b);
  const seed = options.seed ?? 0;
  const patches = options.patchesPerImage ?? PATCHES_PER_IMAGE;
  const sizes = pyramidSizes(a.size);
  const pyramid = (set: ImageSet) => laplacianPyramid({ count: set.count, size: set.size, channels: set.channels, data: toUnit(set) });
  const pa = pyramid(a);
  const pb = pyramid(b);
  const levels = sizes.map((_, l) => {
    const dim = PATCH * PATCH * a.channels;
    // The same patch positions in both sets (common random numbers): the comparison sees image
    // content, not the luck of where patches fell, and a set against itself gives exactly 0.
    const da = patchDescriptors(pa[l], patches, new Rng(seed * 7919 + l + 1));
    const db = patchDescriptors(pb[l], patches, new Rng(seed * 7919 + l + 1));
    return slicedWasserstein(da, db, dim, new Rng(seed * 104729 + l), options.dirRepeats, options.dirsPerRepeat);
  });
  return { swd: levels.reduce((s, v) => s + v, 0) / levels.length, levels, sizes };
}
