/** Shared helpers for the backend tests: deterministic data and a relative error. */
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../../../src/engine/backend';

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), the same on every backend. */
export function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  }
  return out;
}

/**
 * Relative error used throughout: max|a - b| / max(1, max|b|), with b the reference
 * (the JS cpu backend). Shapes must match.
 */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  return maxDiff / Math.max(1, maxRef);
}

/** Runs `f` with `backend` active (through activateBackend) and restores the previous backend. */
export async function onBackend<T>(backend: 'wasm' | 'cpu', f: () => T): Promise<T> {
  const prev = tf.getBackend();
  await activateBackend(backend);
  try {
    return f();
  } finally {
    if (prev != null) await tf.setBackend(prev);
  }
}

/** Number of tensors the wasm backend holds (its dataIdMap), or -1 when not reachable. */
export function wasmDataCount(): number {
  const b = tf.engine().registry.wasm as unknown as { numDataIds?: () => number } | undefined;
  return b?.numDataIds != null ? b.numDataIds() : -1;
}
