/**
 * DiffAugment (Zhao et al. 2020): differentiable augmentations applied to
 * every image D sees, real and fake alike, so G is trained through them and
 * D cannot memorise a small data set. Three kinds, each applied to each
 * image with probability p (1 in DiffAugment; adaptive with ADA):
 * - colour: brightness + U(−0.5, 0.5); saturation ×U(0, 2) around the pixel's
 *   channel mean; contrast ×U(0.5, 1.5) around the image mean;
 * - translation: a shift of up to 1/8 of the side (rounded), zero-filled;
 * - cutout: a zeroed square of half the side at a random place.
 * The random parameters are drawn on the host from GAN Studio's Rng (so a
 * resumed run draws the same ones); the transforms are tensor ops (matmuls
 * with shift matrices, masks, affine colour maps), differentiable to any order.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

export interface AugmentPolicy {
  translation: boolean;
  cutout: boolean;
  color: boolean;
}

/** Per-image parameters of one augmentation call. Identity values where an image is not augmented. */
export interface AugmentParams {
  n: number;
  height: number;
  width: number;
  /** Colour: brightness shift, saturation factor, contrast factor (null: no colour). */
  brightness: Float32Array | null;
  saturation: Float32Array | null;
  contrast: Float32Array | null;
  /** Translation in pixels, per image (null: none). out[y][x] = in[y − dy][x − dx]. */
  dy: Int32Array | null;
  dx: Int32Array | null;
  /** Cutout: whether each image gets one, the top-left corner and the side of the zeroed square. */
  cutOn: Uint8Array | null;
  cutY: Int32Array | null;
  cutX: Int32Array | null;
  cutSize: number;
}

const TRANSLATION_RATIO = 0.125;
const CUTOUT_RATIO = 0.5;

export function anyAugment(p: AugmentPolicy): boolean {
  return p.translation || p.cutout || p.color;
}

/** Draw the parameters for `n` images of `height`×`width`; each kind is applied to each image with probability `prob`. */
export function drawAugmentParams(
  rng: Rng,
  n: number,
  height: number,
  width: number,
  policy: AugmentPolicy,
  prob: number,
): AugmentParams {
  const out: AugmentParams = {
    n,
    height,
    width,
    brightness: null,
    saturation: null,
    contrast: null,
    dy: null,
    dx: null,
    cutOn: null,
    cutY: null,
    cutX: null,
    cutSize: 0,
  };
  const on = () => rng.uniform() < prob;
  if (policy.color) {
    out.brightness = new Float32Array(n);
    out.saturation = new Float32Array(n).fill(1);
    out.contrast = new Float32Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      const apply = on();
      const b = rng.uniform() - 0.5;
      const s = rng.uniform() * 2;
      const c = rng.uniform() + 0.5;
      if (apply) {
        out.brightness[i] = b;
        out.saturation[i] = s;
        out.contrast[i] = c;
      }
    }
  }
  if (policy.translation) {
    const sy = Math.round(height * TRANSLATION_RATIO);
    const sx = Math.round(width * TRANSLATION_RATIO);
    out.dy = new Int32Array(n);
    out.dx = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const apply = on();
      const ty = rng.int(2 * sy + 1) - sy;
      const tx = rng.int(2 * sx + 1) - sx;
      if (apply) {
        out.dy[i] = ty;
        out.dx[i] = tx;
      }
    }
  }
  if (policy.cutout) {
    const size = Math.round(Math.min(height, width) * CUTOUT_RATIO);
    out.cutSize = size;
    out.cutOn = new Uint8Array(n);
    out.cutY = new Int32Array(n);
    out.cutX = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const apply = on();
      // Centre anywhere in the image: the square may hang over an edge, as in DiffAugment.
      const cy = rng.int(height) - Math.floor(size / 2);
      const cx = rng.int(width) - Math.floor(size / 2);
      if (apply) {
        out.cutOn[i] = 1;
        out.cutY[i] = cy;
        out.cutX[i] = cx;
      }
    }
  }
  // Kinds that no image got are skipped altogether (p = 0 is an exact identity).
  if (out.brightness && out.brightness.every((b, i) => b === 0 && out.saturation![i] === 1 && out.contrast![i] === 1)) {
    out.brightness = out.saturation = out.contrast = null;
  }
  if (out.dy && out.dy.every((d, i) => d === 0 && out.dx![i] === 0)) out.dy = out.dx = null;
  if (out.cutOn && out.cutOn.every((v) => v === 0)) out.cutOn = out.cutY = out.cutX = null;
  return out;
}

/**
 * The parameters of images from..to−1 of a batch's (a data-parallel replica's slice),
 * so every replica augments its images exactly as one engine would augment the whole
 * batch. Kinds that no image of the slice gets are skipped, as drawAugmentParams does.
 */
export function sliceAugmentParams(p: AugmentParams, from: number, to: number): AugmentParams {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= p.n))
    throw new RangeError(`slice ${from}..${to} is outside a batch of ${p.n}`);
  const cut = <T extends Float32Array | Int32Array | Uint8Array>(a: T | null): T | null =>
    a ? (a.slice(from, to) as T) : null;
  const out: AugmentParams = {
    ...p,
    n: to - from,
    brightness: cut(p.brightness),
    saturation: cut(p.saturation),
    contrast: cut(p.contrast),
    dy: cut(p.dy),
    dx: cut(p.dx),
    cutOn: cut(p.cutOn),
    cutY: cut(p.cutY),
    cutX: cut(p.cutX),
  };
  if (out.brightness && out.brightness.every((b, i) => b === 0 && out.saturation![i] === 1 && out.contrast![i] === 1))
    out.brightness = out.saturation = out.contrast = null;
  if (out.dy && out.dy.every((d, i) => d === 0 && out.dx![i] === 0)) out.dy = out.dx = null;
  if (out.cutOn && out.cutOn.every((v) => v === 0)) out.cutOn = out.cutY = out.cutX = null;
  return out;
}

/** Shift matrices T[i] with T[i][r][r − d] = 1: (T·x)[r] = x[r − d], zero where r − d falls outside. */
function shiftMatrices(shifts: Int32Array, size: number): tf.Tensor3D {
  const m = new Float32Array(shifts.length * size * size);
  shifts.forEach((d, i) => {
    for (let r = 0; r < size; r++) {
      const src = r - d;
      if (src >= 0 && src < size) m[i * size * size + r * size + src] = 1;
    }
  });
  return tf.tensor3d(m, [shifts.length, size, size]);
}

/** Apply drawn parameters to a batch [N, H, W, C]. Differentiable in x. */
export function applyAugment(x: tf.Tensor4D, p: AugmentParams): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    if (n !== p.n || h !== p.height || w !== p.width)
      throw new Error(`augment: parameters for [${p.n},${p.height},${p.width}], batch is [${x.shape}]`);
    let y: tf.Tensor4D = x;
    if (p.brightness && p.saturation && p.contrast) {
      y = y.add(tf.tensor4d(p.brightness, [n, 1, 1, 1]));
      if (c > 1) {
        const m = y.mean(3, true);
        y = y
          .sub(m)
          .mul(tf.tensor4d(p.saturation, [n, 1, 1, 1]))
          .add(m);
      }
      const m = y.mean([1, 2, 3], true);
      y = y
        .sub(m)
        .mul(tf.tensor4d(p.contrast, [n, 1, 1, 1]))
        .add(m);
    }
    if (p.dy && p.dx) {
      // Rows: [N,H,H]·[N,H,W·C]; then columns the same way on the transposed image.
      const rows = tf.matMul(shiftMatrices(p.dy, h), y.reshape([n, h, w * c])).reshape([n, h, w, c]);
      const t = rows.transpose([0, 2, 1, 3]).reshape([n, w, h * c]);
      y = tf.matMul(shiftMatrices(p.dx, w), t).reshape([n, w, h, c]).transpose([0, 2, 1, 3]);
    }
    if (p.cutOn && p.cutY && p.cutX && p.cutSize > 0) {
      const mask = new Float32Array(n * h * w).fill(1);
      for (let i = 0; i < n; i++) {
        if (!p.cutOn[i]) continue;
        for (let r = Math.max(0, p.cutY[i]); r < Math.min(h, p.cutY[i] + p.cutSize); r++) {
          for (let q = Math.max(0, p.cutX[i]); q < Math.min(w, p.cutX[i] + p.cutSize); q++)
            mask[i * h * w + r * w + q] = 0;
        }
      }
      y = y.mul(tf.tensor4d(mask, [n, h, w, 1]));
    }
    return y === x ? x.clone() : y;
  });
}

/** Draw and apply in one go. */
export function diffAugment(x: tf.Tensor4D, policy: AugmentPolicy, prob: number, rng: Rng): tf.Tensor4D {
  const [n, h, w] = x.shape;
  return applyAugment(x, drawAugmentParams(rng, n, h, w, policy, prob));
}

/**
 * ADA's controller: move p by sign(r − target) · images / speed, where r = E[sign D(real)]
 * is D's over-confidence on reals; clamp to [0, 1].
 */
export function adaUpdate(p: number, rSign: number, target: number, images: number, speed: number): number {
  const next = p + Math.sign(rSign - target) * (images / speed);
  return Math.min(1, Math.max(0, next));
}
