/**
 * Shared helpers for the backend tests: deterministic data, a relative error,
 * wasm-against-cpu runs, a leak check and the convolution cases.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';

/** Whether `a` and `b` hold the same float32 bit patterns (−0, NaN payloads and all). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return a.length === b.length && bytes(a).equals(bytes(b));
}

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

/** Runs `f` on wasm, then on cpu (the reference). */
export async function onWasmAndCpu<T>(f: () => T): Promise<{ wasm: T; cpu: T }> {
  const wasm = await onBackend('wasm', f);
  const cpu = await onBackend('cpu', f);
  return { wasm, cpu };
}

/** `relError` of `f`'s output on wasm against its output on cpu. */
export async function wasmVsCpu(f: () => ArrayLike<number>): Promise<number> {
  const { wasm, cpu } = await onWasmAndCpu(f);
  return relError(wasm, cpu);
}

/** Number of tensors the wasm backend holds (its dataIdMap), or -1 when not reachable. */
export function wasmDataCount(): number {
  const b = tf.engine().registry.wasm as unknown as { numDataIds?: () => number } | undefined;
  return b?.numDataIds != null ? b.numDataIds() : -1;
}

/**
 * Runs `repeat` (on the active wasm backend) and expects neither the
 * engine's tensors nor the wasm backend's buffers to have grown.
 */
export function expectNoLeak(repeat: () => void): void {
  const tensors = tf.memory().numTensors;
  const buffers = wasmDataCount();
  expect(buffers).toBeGreaterThanOrEqual(0);
  repeat();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(wasmDataCount()).toBe(buffers);
}

export type ConvPad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

type Shape4 = [number, number, number, number];

/** A 2-D convolution for the Conv2DBackprop* kernel tests. */
export interface ConvCase {
  /** The conv's input shape (= dx), NHWC (or NCHW when format is NCHW). */
  x: Shape4;
  k: [number, number]; // kh, kw
  cout: number; // channels of dy
  strides: number | [number, number];
  pad: ConvPad;
  format?: 'NHWC' | 'NCHW';
}

export const convCaseLabel = (c: ConvCase): string =>
  `x=[${c.x}] ${c.format ?? 'NHWC'} k=${c.k.join('x')} cout=${c.cout} s=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}`;

/** The filter's and dy's shapes of a case (dy in the case's data format). */
export function convShapes(c: ConvCase): { format: 'NHWC' | 'NCHW'; filterShape: Shape4; dyShape: Shape4 } {
  const format = c.format ?? 'NHWC';
  const [n, a, b, d] = c.x;
  const cin = format === 'NHWC' ? d : a;
  const filterShape: Shape4 = [c.k[0], c.k[1], cin, c.cout];
  const nhwc: Shape4 = format === 'NHWC' ? c.x : [n, b, d, a];
  const info = tf.backend_util.computeConv2DInfo(nhwc, filterShape, c.strides, 1, c.pad);
  const dyShape: Shape4 =
    format === 'NHWC' ? [n, info.outHeight, info.outWidth, c.cout] : [n, c.cout, info.outHeight, info.outWidth];
  return { format, filterShape, dyShape };
}

/** A tensor of `shape` filled with `randomData(…, seed)`. */
export const randomTensor = (shape: number[], seed: number): tf.Tensor =>
  tf.tensor(
    randomData(
      shape.reduce((p, q) => p * q, 1),
      seed,
    ),
    shape,
  );

/** Strides 1–3, kernels 1–5, same/valid, odd sizes, batch 1 and 5, Cin ≠ Cout. */
export function convGrid(): ConvCase[] {
  const grid: ConvCase[] = [];
  const sizes: [number, number][] = [
    [7, 7],
    [9, 6],
  ];
  for (const strides of [1, 2, 3]) {
    for (const k of [1, 2, 3, 4, 5]) {
      for (const pad of ['same', 'valid'] as const) {
        const [h, w] = sizes[(strides + k) % 2];
        const batch = (k + strides) % 3 === 0 ? 1 : 5;
        if (pad === 'valid' && (k > h || k > w)) continue;
        grid.push({ x: [batch, h, w, 3], k: [k, k], cout: 4, strides, pad });
      }
    }
  }
  return grid;
}

/** Odd shapes both conv gradients must handle (each test adds its kernel's own): uneven strides and kernels, Cin or Cout 1, numeric and explicit pads, NCHW, a small DCGAN layer. */
export const oddConvCases: readonly ConvCase[] = [
  { x: [2, 11, 7, 2], k: [5, 4], cout: 3, strides: [2, 3], pad: 'same' },
  { x: [1, 13, 10, 5], k: [3, 5], cout: 2, strides: [3, 2], pad: 'valid' },
  { x: [2, 8, 9, 3], k: [3, 4], cout: 5, strides: [1, 2], pad: 'same' },
  { x: [2, 9, 8, 3], k: [4, 3], cout: 5, strides: [3, 1], pad: 'valid' },
  { x: [3, 8, 8, 1], k: [4, 4], cout: 6, strides: 2, pad: 'same' }, // Cin = 1
  { x: [2, 9, 9, 4], k: [3, 3], cout: 1, strides: 2, pad: 'same' }, // Cout = 1
  { x: [2, 9, 9, 3], k: [3, 3], cout: 5, strides: 2, pad: 1 },
  {
    x: [2, 9, 8, 3],
    k: [3, 2],
    cout: 5,
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 3],
      [0, 0],
    ],
  },
  { x: [2, 3, 9, 7], k: [3, 3], cout: 4, strides: 2, pad: 'same', format: 'NCHW' },
  { x: [8, 16, 16, 8], k: [4, 4], cout: 16, strides: 2, pad: 'same' }, // a DCGAN layer, small
];
