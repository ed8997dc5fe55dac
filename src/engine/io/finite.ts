/**
 * Finiteness of saved weights, checked on the encoded bytes themselves: a
 * save already holds them in host memory and a load has just read them, so
 * the check costs one pass over the buffer and no device read-back.
 */
import type * as tf from '@tensorflow/tfjs';

/** The name of the first float32 weight in `data` (laid out by `specs`) holding NaN or ±Inf, or null when all are finite. */
export function firstNonFinite(specs: readonly tf.io.WeightsManifestEntry[], data: ArrayBuffer): string | null {
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * (spec.dtype === 'bool' ? 1 : 4);
    if (spec.dtype === 'float32' || spec.dtype === undefined) {
      // A view needs 4-byte alignment; every spec before this one is 4-byte sized unless it is bool.
      const values =
        offset % 4 === 0 ? new Float32Array(data, offset, count) : new Float32Array(data.slice(offset, offset + bytes));
      for (let i = 0; i < values.length; i++) {
        // v - v is 0 for finite v and NaN for NaN and ±Inf: one comparison per value.
        if (values[i] - values[i] !== 0) return spec.name;
      }
    }
    offset += bytes;
  }
  return null;
}

/** Thrown when weights about to be saved, or just loaded, hold NaN or Inf. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  constructor(
    readonly where: string,
    readonly weight: string,
  ) {
    super(`${where}: weight ${weight} holds NaN or Inf`);
  }
}
