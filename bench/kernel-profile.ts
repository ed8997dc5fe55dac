/**
 * One training step under tf.profile, summed per kernel and, on webgpu, per
 * WebGPU program: shared by bench/profile-step.ts and the GPU kit's engine
 * (bench/gpu/bench-entry.ts).
 *
 * On webgpu a kernel's time is GPU time from timestamp queries when the device
 * has 'timestamp-query' (requestGpuTimestamps before the backend starts), else 0:
 * tfjs-backend-webgpu then times each program's compute pass and lists the
 * programs of each kernel in its extraInfo ("Conv2DMMProgram: 0.41, …").
 * Op wrappers (`fusedConv2d__op`, …) are timed around the kernels inside them,
 * so they are kept apart and left out of the totals.
 */
import * as tf from '@tensorflow/tfjs';
import type { GanSession, TrainingData } from '../src/engine/train/session';

export interface Timed {
  ms: number;
  calls: number;
}

export interface Tally {
  byKernel: Map<string, Timed>;
  /** WebGPU programs (GPU dispatches) by class, from the kernels' extraInfo; empty on other backends. */
  byProgram: Map<string, Timed>;
  wall: number;
  steps: number;
}

export const newTally = (): Tally => ({ byKernel: new Map(), byProgram: new Map(), wall: 0, steps: 0 });

/** An op wrapper timed around the kernels it runs (they are listed too). */
export const isWrapper = (name: string): boolean => name.endsWith('__op');

function add(map: Map<string, Timed>, key: string, ms: number): void {
  const e = map.get(key) ?? { ms: 0, calls: 0 };
  e.ms += ms;
  e.calls += 1;
  map.set(key, e);
}

/** "Name: 0.12, Other: 0.5" (tfjs-backend-webgpu's extraInfo) as [name, ms] pairs. */
export function programsOf(extraInfo: unknown): [string, number][] {
  if (typeof extraInfo !== 'string' || extraInfo === '') return [];
  return extraInfo.split(', ').flatMap((part): [string, number][] => {
    const at = part.lastIndexOf(': ');
    if (at < 0) return [];
    const ms = Number(part.slice(at + 2));
    return Number.isFinite(ms) ? [[part.slice(0, at), ms]] : [];
  });
}

/** Profiles one trainStep and adds it to the tally. */
export async function profileStep(
  session: GanSession,
  data: TrainingData,
  tally: Tally,
  byShape = false,
): Promise<void> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await session.trainStep(data);
  });
  tally.wall += performance.now() - t0;
  tally.steps += 1;
  for (const k of info.kernels) {
    const key = byShape ? `${k.name} ${k.inputShapes.map((s) => (s ?? []).join('×')).join(' ')}` : k.name;
    add(tally.byKernel, key, typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0);
    if (isWrapper(k.name)) continue;
    for (const [program, ms] of programsOf(k.extraInfo)) add(tally.byProgram, program, ms);
  }
}

/** Per-step ms and calls of one entry. */
export function perStep(map: Map<string, Timed>, steps: number, name: string): Timed {
  const e = map.get(name);
  return { ms: (e?.ms ?? 0) / Math.max(1, steps), calls: (e?.calls ?? 0) / Math.max(1, steps) };
}

/** Kernel ms per step, op wrappers left out (they would count their kernels twice). */
export function kernelMsPerStep(t: Tally): number {
  let ms = 0;
  for (const [name, e] of t.byKernel) if (!isWrapper(name.split(' ')[0])) ms += e.ms;
  return ms / Math.max(1, t.steps);
}

/** Rows sorted by time, largest first, per step: for printing or JSON. */
export function rows(map: Map<string, Timed>, steps: number): { name: string; ms: number; calls: number }[] {
  return [...map.keys()]
    .map((name) => ({ name, ...perStep(map, steps, name) }))
    .sort((a, b) => b.ms - a.ms || b.calls - a.calls);
}
