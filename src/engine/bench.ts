/**
 * Training speed: full steps (D step, G step, EMA, stats read-back) of a
 * preset on synthetic data, timed after a warm-up so one-off costs (kernel
 * compilation, allocation) are not counted.
 */
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from './config/resolve';
import { Rng } from './rng';
import { ReplicaPool } from './train/replicas';
import { GanSession, type TrainingData } from './train/session';

export interface BenchResult {
  preset: string;
  backend: string;
  batch: number;
  imgPerSec: number;
  msPerStep: number;
  steps: number;
  warmup: number;
  /** Data-parallel replicas the steps ran on (1: one engine). */
  replicas: number;
  /** CPU time of the whole process (every thread) per timed step: the work a step costs, which load hardly changes. */
  cpuMsPerStep: number;
}

export interface BenchOptions {
  preset: string;
  batch: number;
  steps: number;
  warmup: number;
  sets?: string[];
  /** Data-parallel replicas (./train/replicas.ts); the wasm backend must be active with 1 thread. */
  replicas?: number;
}

/** Random images in [-1, 1]; speed does not depend on what the pixels show (also bench/'s scripts). */
export function syntheticData(count: number, size: number): TrainingData {
  const pool = new Rng(1).normal(new Float32Array(count * size)).map((v) => Math.tanh(v));
  return {
    count,
    batch(indices, out = new Float32Array(indices.length * size)) {
      for (let i = 0; i < indices.length; i++)
        out.set(pool.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
      return out;
    },
  };
}

export async function benchmark(options: BenchOptions): Promise<BenchResult> {
  const config = await resolveConfig({
    preset: options.preset,
    sets: options.sets,
    overrides: { batchSize: options.batch, seed: 1 },
  });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  const replicas = options.replicas ?? 1;
  const pool = replicas > 1 ? await ReplicaPool.start(session, replicas, data) : null;
  try {
    for (let i = 0; i < options.warmup; i++) await session.trainStep(data);
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < options.steps; i++) await session.trainStep(data);
    const ms = (performance.now() - start) / options.steps;
    const used = process.cpuUsage(cpu);
    return {
      preset: options.preset,
      backend: tf.getBackend(),
      batch: options.batch,
      imgPerSec: (options.batch * 1000) / ms,
      msPerStep: ms,
      steps: options.steps,
      warmup: options.warmup,
      replicas,
      cpuMsPerStep: (used.user + used.system) / 1000 / options.steps,
    };
  } finally {
    await pool?.stop();
    session.dispose();
  }
}
