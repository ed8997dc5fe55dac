/**
 * Float32 tensors to and from plain memory with one copy on the wasm backend, for the
 * data-parallel replicas' shared-memory exchange (src/engine/train/replica-exchange.ts).
 *
 * `dataSync()` copies the heap into a fresh array, which the exchange would copy again
 * into its SharedArrayBuffer; reading a view of the heap saves that copy. On the way
 * in, the wasm backend's `write` copies the values onto the heap at once, so a view
 * of shared memory can be handed to `tf.tensor` directly; other backends may keep a
 * reference to the array they are given (the cpu backend does), so they get a copy.
 */
import * as tf from '@tensorflow/tfjs';

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

function wasmBackend(): HeapBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as Partial<HeapBackend>;
  return typeof b.typedArrayFromHeap === 'function' ? (b as HeapBackend) : null;
}

/** Copies float32 tensor `t` into `out` at `offset`; returns the number of floats written. */
export function copyTensorInto(t: tf.Tensor, out: Float32Array, offset: number): number {
  if (t.dtype !== 'float32') throw new TypeError(`expected a float32 tensor, got ${t.dtype}`);
  const heap = wasmBackend();
  const values = heap ? (heap.typedArrayFromHeap(t) as Float32Array) : (t.dataSync() as Float32Array);
  out.set(values, offset);
  return t.size;
}

/** A float32 tensor of `shape` holding `values` (copied; `values` may be reused at once after). */
export function tensorFrom(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(wasmBackend() ? values : values.slice(), shape, 'float32');
}
