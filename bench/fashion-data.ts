/** Fashion-MNIST as the bench scripts read it: Debian's IDX files, and a TrainingData over their bytes. */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { ImageSet } from '../src/engine/metrics/image-set';
import type { TrainingData } from '../src/engine/train/session';

/** Debian's dataset-fashion-mnist. */
export const FASHION = '/usr/share/datasets/fashion-mnist';

/** The images of an IDX file (gzip'd, magic 0x803): count × 28 × 28 bytes. */
export async function readIdx(file: string, limit: number): Promise<ImageSet> {
  const buf = await promisify(gunzip)(await readFile(file));
  if (buf.readUInt32BE(0) !== 0x803) throw new Error(`${file} is not an IDX image file`);
  const count = Math.min(limit, buf.readUInt32BE(4));
  const size = buf.readUInt32BE(8);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset + 16, count * size * size).slice();
  return { count, size, channels: 1, bytes };
}

/** Training batches of a set's images, byte/127.5 − 1, as our data sets' batch() reads them. */
export function trainingData(set: ImageSet): TrainingData {
  const per = set.size * set.size * set.channels;
  return {
    count: set.count,
    batch(indices, out) {
      const dst = out ?? new Float32Array(indices.length * per);
      for (let k = 0; k < indices.length; k++) {
        const src = indices[k] * per;
        for (let j = 0; j < per; j++) dst[k * per + j] = set.bytes[src + j] / 127.5 - 1;
      }
      return dst;
    },
  };
}
