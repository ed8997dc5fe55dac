/**
 * The image sets the metrics compare: count × size × size × channels bytes,
 * NHWC, 0..255 (the layout of a Dataset's pixels and of generated batches).
 */

export interface ImageSet {
  count: number;
  size: number;
  channels: number;
  /** count × size² × channels bytes, NHWC. */
  bytes: Uint8Array;
}

/** The images `indices` of a set, copied. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const per = set.size * set.size * set.channels;
  const bytes = new Uint8Array(indices.length * per);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= set.count)
      throw new RangeError(`subset: index ${i} is outside 0..${set.count - 1}`);
    bytes.set(set.bytes.subarray(i * per, (i + 1) * per), k * per);
  }
  return { count: indices.length, size: set.size, channels: set.channels, bytes };
}

/** The images of a set as floats in [-1, 1] (the range G and D work in). */
export function toUnit(set: ImageSet): Float32Array {
  const out = new Float32Array(set.bytes.length);
  for (let i = 0; i < out.length; i++) out[i] = set.bytes[i] / 127.5 - 1;
  return out;
}

/** Two sets must share a geometry to be compared. */
export function assertComparable(a: ImageSet, b: ImageSet): void {
  if (a.size !== b.size || a.channels !== b.channels) {
    throw new Error(`cannot compare ${a.size}×${a.size}×${a.channels} images with ${b.size}×${b.size}×${b.channels}`);
  }
  if (a.count < 2 || b.count < 2)
    throw new Error(`metrics need at least 2 images per set, got ${a.count} and ${b.count}`);
}
