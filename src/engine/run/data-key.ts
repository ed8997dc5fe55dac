/**
 * The content key of a training set: a hash of the images as training sees
 * them (pixels, labels, class names, shape). Unlike the dataset cache key it
 * does not depend on where the folder lies or on file times, so a run whose
 * data folder was moved or copied can check that the images are the same.
 */
import { createHash } from 'node:crypto';
import type { TrainingData } from '../train/session';

/** What a Dataset has beyond TrainingData; test data may lack it. */
interface WithPixels {
  pixels?: Uint8Array;
}

const CHUNK = 256;

export function dataContentKey(
  data: TrainingData & WithPixels,
  shape: { resolution: number; channels: number },
): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      count: data.count,
      resolution: shape.resolution,
      channels: shape.channels,
      classNames: data.classNames ?? [],
    }),
  );
  if (data.labels) h.update(new Uint8Array(Int32Array.from(data.labels).buffer));
  if (data.pixels) {
    h.update(data.pixels);
  } else {
    // No raw bytes: hash the batches training would read, a chunk at a time to bound memory.
    const per = shape.resolution * shape.resolution * shape.channels;
    const out = new Float32Array(CHUNK * per);
    for (let start = 0; start < data.count; start += CHUNK) {
      const n = Math.min(CHUNK, data.count - start);
      const values = data.batch(
        Uint32Array.from({ length: n }, (_, i) => start + i),
        out.subarray(0, n * per),
      );
      h.update(new Uint8Array(values.buffer, values.byteOffset, n * per * 4));
    }
  }
  return h.digest('hex').slice(0, 32);
}
