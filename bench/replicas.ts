/**
 * Data-parallel replicas measured for real (issue 15), against intra-op threads and one
 * thread, in one sitting:
 *
 *   npx tsx bench/replicas.ts [--preset dcgan-28] [--replicas 2] [--rounds 2] [--batch 64]
 *                             [--steps N] [--warmup W] [--modes t1,tN,replicated,broadcast]
 *
 * Per round, each in its own fresh process, one after the other (so load hits all alike):
 * - `t1`: `gan-studio bench --threads 1` (the single-threaded step, GanSession.trainStep);
 * - `tN`: `gan-studio bench --threads N` (XNNPACK's intra-op pool, what ships today);
 * - `replicated`: N replicas, the main thread plus N−1 worker threads, each its own
 *   single-threaded SIMD wasm engine with its own G and D, each on a slice B/N of the
 *   batch. The main thread draws the whole batch (indices, pixels, z) from the run's
 *   streams and shares it; each replica's D and G gradients go through the fixed-order
 *   SharedArrayBuffer all-reduce (src/engine/train/replica-exchange.ts) and every replica
 *   applies the same Adam update; the main thread alone does the EMA and the read-back;
 * - `broadcast`: the same, but only the main thread runs Adam and the updated weights
 *   are broadcast through shared memory to the others.
 * BatchNorm is per replica (ghost batches of B/N) in this measurement.
 * Each replica run also reports where its exchange time went (copy out of wasm, the
 * all-reduce including barrier waits, copy back in, the weight broadcast).
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { copyTensorInto, tensorFrom } from '../src/engine/backend/wasm-heap';
import { syntheticData } from '../src/engine/bench';
import { resolveConfig } from '../src/engine/config/resolve';
import { spawnJson } from './spawn-json.mjs';
import { optimizerOf } from '../src/engine/config/techniques';
import { Rng, deriveSeed } from '../src/engine/rng';
import { copyWeights, emaDecayAt, updateEma } from '../src/engine/train/ema';
import { discriminatorStep, generatorStep, trainableVariables, type ReduceGrads } from '../src/engine/train/gan-step';
import { makeOptimizer, type Optimizer } from '../src/engine/train/optimizers';
import {
  ReplicaExchange,
  ReplicaFailed,
  createExchangeBuffers,
  type ExchangeBuffers,
} from '../src/engine/train/replica-exchange';
import { BatchSampler } from '../src/engine/train/sampler';
import { GanSession } from '../src/engine/train/session';
import { sampleLatent } from '../src/engine/train/tricks';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_STEPS: Record<string, { steps: number; warmup: number }> = {
  'dcgan-28': { steps: 10, warmup: 2 },
  'dcgan-64': { steps: 2, warmup: 1 },
};

type Update = 'replicated' | 'broadcast';
interface ReplicaJob {
  preset: string;
  batch: number;
  replicas: number;
  steps: number;
  warmup: number;
  update: Update;
}
interface WorkerData {
  job: ReplicaJob;
  rank: number;
  buffers: ExchangeBuffers;
  inputs: SharedArrayBuffer;
  command: SharedArrayBuffer;
}

/** Milliseconds spent per part of the exchange, summed over the timed steps. */
interface ExchangeTimes {
  copyOut: number;
  allReduce: number;
  copyIn: number;
  broadcast: number;
}

const CMD_STEP = 1;
const CMD_STOP = 2;

/** What one replica runs: models, optimizers, its slice of the shared inputs, the exchange. */
async function makeReplica(job: ReplicaJob, rank: number, buffers: ExchangeBuffers, inputs: SharedArrayBuffer) {
  await activateBackend('wasm', { threads: 1 });
  const config = await resolveConfig({ preset: job.preset, overrides: { batchSize: job.batch, seed: 1 } });
  const { resolution, channels, latentDim } = config.model;
  const { g, d, gEma } = GanSession.initialModels(config);
  const ex = new ReplicaExchange(buffers, rank);
  const noop: Optimizer = {
    step: 0,
    apply() {
      this.step += 1;
    },
    getState: () => ({ step: 0, tensors: {} }),
    setState() {},
    dispose() {},
  };
  const owns = job.update === 'replicated' || rank === 0;
  const optG = owns ? makeOptimizer(trainableVariables(g), { ...config.g, optimizer: optimizerOf(config, 'g') }) : noop;
  const optD = owns ? makeOptimizer(trainableVariables(d), { ...config.d, optimizer: optimizerOf(config, 'd') }) : noop;
  const pixels = resolution * resolution * channels;
  const slice = job.batch / job.replicas;
  const realAt = 0;
  const zAt = job.batch * pixels;
  const zGAt = zAt + job.batch * latentDim;
  const shared = new Float32Array(inputs);
  const times: ExchangeTimes = { copyOut: 0, allReduce: 0, copyIn: 0, broadcast: 0 };

  const reduceGrads: ReduceGrads = (grads) => {
    let t = performance.now();
    const slot = ex.slot;
    let off = 0;
    for (const gr of grads) off += copyTensorInto(gr, slot, off);
    times.copyOut += performance.now() - t;
    t = performance.now();
    const mean = ex.allReduceMean(off);
    times.allReduce += performance.now() - t;
    t = performance.now();
    off = 0;
    const out = grads.map((gr) => {
      const r = tensorFrom(mean.subarray(off, off + gr.size), gr.shape);
      off += gr.size;
      return r;
    });
    times.copyIn += performance.now() - t;
    return out;
  };

  /** broadcast mode: rank 0's weights of `model` to every replica. */
  const broadcastWeights = (model: tf.LayersModel) => {
    const t = performance.now();
    const vars = model.weights;
    let off = 0;
    if (rank === 0) for (const w of vars) off += copyTensorInto(w.read(), ex.slot, off);
    else off = vars.reduce((s, w) => s + w.read().size, 0);
    const all = ex.broadcast(0, off);
    if (rank !== 0) {
      off = 0;
      tf.tidy(() => {
        for (const w of vars) {
          const { size, shape } = w.read();
          w.write(tensorFrom(all.subarray(off, off + size), shape));
          off += size;
        }
      });
    }
    times.broadcast += performance.now() - t;
  };

  const step = (index: number) => {
    const real = tf.tensor4d(shared.slice(realAt + rank * slice * pixels, realAt + (rank + 1) * slice * pixels), [
      slice,
      resolution,
      resolution,
      channels,
    ]);
    const z = tf.tensor2d(shared.slice(zAt + rank * slice * latentDim, zAt + (rank + 1) * slice * latentDim), [
      slice,
      latentDim,
    ]);
    const zG = tf.tensor2d(shared.slice(zGAt + rank * slice * latentDim, zGAt + (rank + 1) * slice * latentDim), [
      slice,
      latentDim,
    ]);
    const dStats = discriminatorStep({ model: d, optimizer: optD }, g, real, z, { loss: config.loss, reduceGrads });
    if (job.update === 'broadcast') broadcastWeights(d);
    const gStats = generatorStep({ model: g, optimizer: optG }, d, zG, config.loss, { reduceGrads });
    if (job.update === 'broadcast') broadcastWeights(g);
    real.dispose();
    z.dispose();
    zG.dispose();
    const scalars = [dStats.lossD, gStats.lossG, dStats.dReal, dStats.dFake, dStats.gradNormD, gStats.gradNormG];
    if (rank === 0 && gEma) {
      if (index + 1 <= config.ema.startStep) copyWeights(gEma, g);
      else updateEma(gEma, g, emaDecayAt(config.ema.decay, index + 1 - config.ema.startStep, config.ema.warmup));
    }
    if (rank === 0) tf.tidy(() => tf.stack(scalars).dataSync());
    for (const s of Object.values(dStats)) s?.dispose();
    for (const s of Object.values(gStats)) s.dispose();
  };
  return { ex, step, times, config, shared, zAt, zGAt, pixels, latentDim, leakCheck: () => tf.memory().numTensors };
}

async function workerMain(data: WorkerData): Promise<void> {
  const command = new Int32Array(data.command);
  let replica: Awaited<ReturnType<typeof makeReplica>> | undefined;
  const ex = new ReplicaExchange(data.buffers, data.rank);
  try {
    replica = await makeReplica(data.job, data.rank, data.buffers, data.inputs);
    ex.barrier(); // ready
    for (let i = 0; ; i++) {
      ex.barrier(); // inputs written
      if (Atomics.load(command, 0) === CMD_STOP) break;
      replica.step(i);
    }
  } catch (err) {
    if (!(err instanceof ReplicaFailed)) {
      process.stderr.write(`replica ${data.rank} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      ex.fail();
    }
  }
}

/** The main thread's side of a replica run (rank 0): draws inputs, starts the workers, times the steps. */
async function runReplicas(job: ReplicaJob) {
  const config = await resolveConfig({ preset: job.preset, overrides: { batchSize: job.batch, seed: 1 } });
  const { resolution, channels, latentDim } = config.model;
  const pixels = resolution * resolution * channels;
  // Sized for the larger of G's and D's parameter vectors (all weights, for broadcast).
  await activateBackend('wasm', { threads: 1 });
  const probe = GanSession.initialModels(config);
  const floats = Math.max(probe.g.countParams(), probe.d.countParams());
  probe.g.dispose();
  probe.d.dispose();
  probe.gEma?.dispose();
  const buffers = createExchangeBuffers(job.replicas, floats);
  const inputs = new SharedArrayBuffer(4 * (job.batch * pixels + 2 * job.batch * latentDim));
  const command = new SharedArrayBuffer(4);
  const workers = Array.from(
    { length: job.replicas - 1 },
    (_, i) =>
      new Worker(new URL(import.meta.url), {
        workerData: { job, rank: i + 1, buffers, inputs, command } satisfies WorkerData,
        execArgv: ['--import', 'tsx'],
      }),
  );
  const replica = await makeReplica(job, 0, buffers, inputs);
  replica.ex.barrier(); // every replica built
  const data = syntheticData(256, pixels);
  const sampler = new BatchSampler(256, deriveSeed(1, 'data'));
  const noise = new Rng(deriveSeed(1, 'noise'));
  const shared = replica.shared;
  const one = () => {
    shared.set(data.batch(sampler.next(job.batch)), 0);
    shared.set(sampleLatent(noise, job.batch, latentDim, config.model.latentDist), replica.zAt);
    shared.set(sampleLatent(noise, job.batch, latentDim, config.model.latentDist), replica.zGAt);
    Atomics.store(new Int32Array(command), 0, CMD_STEP);
    replica.ex.barrier();
  };
  let i = 0;
  for (; i < job.warmup; i++) {
    one();
    replica.step(i);
  }
  Object.assign(replica.times, { copyOut: 0, allReduce: 0, copyIn: 0, broadcast: 0 });
  const tensorsBefore = replica.leakCheck();
  const start = performance.now();
  for (let k = 0; k < job.steps; k++, i++) {
    one();
    replica.step(i);
  }
  const ms = (performance.now() - start) / job.steps;
  const tensorsAfter = replica.leakCheck();
  Atomics.store(new Int32Array(command), 0, CMD_STOP);
  replica.ex.barrier();
  await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
  const per = (x: number) => Math.round((x / job.steps) * 10) / 10;
  return {
    mode: job.update,
    replicas: job.replicas,
    imgPerSec: (job.batch * 1000) / ms,
    msPerStep: ms,
    exchangeMsPerStep: {
      copyOut: per(replica.times.copyOut),
      allReduce: per(replica.times.allReduce),
      copyIn: per(replica.times.copyIn),
      broadcast: per(replica.times.broadcast),
    },
    leakedTensorsPerStep: (tensorsAfter - tensorsBefore) / job.steps,
  };
}

const runJson = async (argv: string[]) => (await spawnJson(process.execPath, argv, { cwd: ROOT })).result;

async function parentMain(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      preset: { type: 'string', default: 'dcgan-28' },
      replicas: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '2' },
      batch: { type: 'string', default: '64' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      modes: { type: 'string', default: 't1,tN,replicated,broadcast' },
      child: { type: 'string' },
    },
  });
  const n = Number(args.replicas);
  const batch = Number(args.batch);
  const defaults = DEFAULT_STEPS[args.preset] ?? { steps: 5, warmup: 1 };
  const steps = Number(args.steps ?? defaults.steps);
  const warmup = Number(args.warmup ?? defaults.warmup);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error('--replicas must be a whole number ≥ 1');
  if (batch % n !== 0) throw new Error(`--batch ${batch} must split evenly over --replicas ${n}`);
  if (args.child) {
    const r = await runReplicas({
      preset: args.preset,
      batch,
      replicas: n,
      steps,
      warmup,
      update: args.child as Update,
    });
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  const modes = args.modes.split(',');
  const results: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const exchange: Record<string, unknown[]> = {};
  const loads: number[] = [];
  const common = [
    '--preset',
    args.preset,
    '--batch',
    String(batch),
    '--steps',
    String(steps),
    '--warmup',
    String(warmup),
  ];
  for (let r = 1; r <= Number(args.rounds); r++) {
    const line: string[] = [];
    for (const mode of modes) {
      const load = Math.round(loadavg()[0] * 100) / 100;
      loads.push(load);
      let res: Record<string, unknown>;
      if (mode === 't1' || mode === 'tN') {
        const threads = mode === 't1' ? 1 : n;
        res = await runJson([
          join(ROOT, 'bin/gan-studio.mjs'),
          'bench',
          ...common,
          '--backend',
          'wasm',
          '--threads',
          String(threads),
          '--json',
        ]);
      } else {
        res = await runJson([
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          ...common,
          '--replicas',
          String(n),
          '--child',
          mode,
        ]);
        (exchange[mode] ??= []).push(res.exchangeMsPerStep);
        if (res.leakedTensorsPerStep !== 0) throw new Error(`${mode} leaked ${res.leakedTensorsPerStep} tensors/step`);
      }
      const ips = Math.round((res.imgPerSec as number) * 100) / 100;
      results[mode].push(ips);
      line.push(`${mode} ${ips}`);
      process.stderr.write(`  ${args.preset} round ${r} ${mode}: ${ips} img/s (load ${load})\n`);
    }
    process.stderr.write(`round ${r}: ${line.join(' | ')}\n`);
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return Math.round(m * 100) / 100;
  };
  const med = Object.fromEntries(modes.map((m) => [m, median(results[m])]));
  const base = med.t1;
  const speedups = Object.fromEntries(modes.map((m) => [m, base ? Math.round((med[m] / base) * 1000) / 1000 : null]));
  // Amdahl: the serial fraction the measured N-way speed-up implies, and what it predicts for 8.
  const amdahl = (s: number | null) => {
    if (s == null || n < 2) return null;
    const f = Math.min(1, Math.max(0, (n / s - 1) / (n - 1)));
    return {
      serialFraction: Math.round(f * 1000) / 1000,
      predictedAt8: Math.round((1 / (f + (1 - f) / 8)) * 100) / 100,
    };
  };
  const summary = {
    preset: args.preset,
    batch,
    replicas: n,
    rounds: Number(args.rounds),
    medians: med,
    speedups,
    amdahl: Object.fromEntries(modes.filter((m) => m !== 't1').map((m) => [m, amdahl(speedups[m])])),
    exchangeMsPerStep: exchange,
    load1: { min: Math.min(...loads), max: Math.max(...loads) },
    runs: results,
  };
  process.stdout.write(
    `${args.preset}, batch ${batch}, N=${n}: ` +
      modes.map((m) => `${m} ${med[m]} img/s (×${speedups[m]})`).join(', ') +
      `; load ${summary.load1.min}–${summary.load1.max}\n` +
      JSON.stringify(summary) +
      '\n',
  );
}

if (isMainThread) await parentMain();
else await workerMain(workerData as WorkerData);
