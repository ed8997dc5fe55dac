/**
 * Smaller web weights with TF.js's own weight quantization: each float32
 * weight is stored as uint8 (affine: value = q · scale + min) or float16, and
 * its manifest entry carries a `quantization` record that
 * `tf.loadLayersModel` reads and dequantizes on load (tfjs-core's
 * io.decodeWeights, the format the tfjs converter writes). Nothing else is
 * needed on the page.
 */
import type * as tf from '@tensorflow/tfjs';

export const QUANTIZE_DTYPES = ['uint8', 'float16'] as const;
export type QuantizeDtype = (typeof QUANTIZE_DTYPES)[number];

type Spec = tf.io.WeightsManifestEntry;

/** Quantize every float32 weight of a manifest's specs and data; other dtypes pass through unchanged. */
export function quantizeWeights(
  specs: Spec[],
  data: ArrayBuffer,
  dtype: QuantizeDtype,
): { specs: Spec[]; data: ArrayBuffer } {
  const parts: Uint8Array[] = [];
  const out: Spec[] = [];
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = n * (spec.dtype === 'bool' ? 1 : 4);
    if (spec.dtype !== 'float32') {
      parts.push(new Uint8Array(data, offset, bytes));
      out.push(spec);
    } else {
      const values = new Float32Array(data.slice(offset, offset + bytes));
      if (dtype === 'float16') {
        parts.push(new Uint8Array(toFloat16(values).buffer));
        out.push({ ...spec, quantization: { dtype: 'float16' } });
      } else {
        const { q, scale, min } = toUint8(values);
        parts.push(q);
        out.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
      }
    }
    offset += bytes;
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return { specs: out, data: joined.buffer };
}

/**
 * Affine uint8 over [min, max] widened to hold 0, with the range nudged so
 * that 0 is exactly representable (as the tfjs converter does: zero padding
 * and zero-initialised weights stay exactly zero).
 */
function toUint8(values: Float32Array): { q: Uint8Array; scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zero = Math.round(-lo / scale);
  const min = -zero * scale;
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
  return { q, scale, min };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision bits of each value, rounded to nearest even. */
function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // too big: Inf
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // too small: ±0
        continue;
      }
      // Subnormal half: shift the implicit 1 in, round to nearest even.
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rest > mid || (rest === mid && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // may carry into the exponent: still correct
    e = half;
    out[i] = sign | e;
  }
  return out;
}
