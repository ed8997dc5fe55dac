/** Test helpers for tfjs: backend setup and weight snapshots. */
import type * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../src/engine/backend';
import type { BackendName } from '../../src/shared/config';

export async function onBackend(name: Exclude<BackendName, 'auto'>): Promise<void> {
  await activateBackend(name);
}

/** Every weight of a model (trainable and not) as plain arrays. */
export function snapshot(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array).map((a) => a.slice());
}

export function sameWeights(a: Float32Array[], b: Float32Array[]): boolean {
  return (
    a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])))
  );
}

export function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

/** A small deterministic TrainingData in [-1, 1]: smooth blobs, so D has something to learn. */
export function blobData(count: number, resolution: number, channels: number) {
  const size = resolution * resolution * channels;
  return {
    count,
    batch(indices: ArrayLike<number>, out = new Float32Array(indices.length * size)) {
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i];
        for (let y = 0; y < resolution; y++)
          for (let x = 0; x < resolution; x++)
            for (let c = 0; c < channels; c++) {
              out[i * size + (y * resolution + x) * channels + c] = Math.tanh(
                Math.sin((x + k) / 3) + Math.cos((y * (c + 1)) / 4),
              );
            }
      }
      return out.subarray(0, indices.length * size);
    },
  };
}
