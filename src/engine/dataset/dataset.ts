/** The in-memory Dataset object: uint8 pixels plus batch() to [-1, 1] floats. */
import type { Dataset } from './types.js';

/** byte → (byte / 127.5) - 1, so 0 → -1 and 255 → 1 exactly. */
const TO_UNIT = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 127.5 - 1;
  return t;
})();

/** A Dataset's data, without the methods that makeDataset adds. */
export type DatasetParts = Omit<Dataset, 'batch'>;

export function makeDataset(parts: DatasetParts): Dataset {
  const per = parts.resolution * parts.resolution * parts.channels;
  if (parts.pixels.length !== parts.count * per || parts.labels.length !== parts.count) {
    throw new Error(`dataset arrays do not match count ${parts.count}`);
  }
  return {
    ...parts,
    batch(indices: ArrayLike<number>, out?: Float32Array): Float32Array {
      const n = indices.length;
      const need = n * per;
      if (out && out.length < need) {
        throw new RangeError(`batch: out holds ${out.length} values, ${n} images need ${need}`);
      }
      const dst = out ? (out.length === need ? out : out.subarray(0, need)) : new Float32Array(need);
      const { pixels, count } = parts;
      for (let k = 0; k < n; k++) {
        const idx = indices[k];
        if (!Number.isInteger(idx) || idx < 0 || idx >= count) {
          throw new RangeError(`batch: index ${idx} is outside 0..${count - 1}`);
        }
        const src = idx * per;
        const base = k * per;
        for (let j = 0; j < per; j++) dst[base + j] = TO_UNIT[pixels[src + j]];
      }
      return dst;
    },
  };
}
