/**
 * Data-parallel replicas (`--replicas N`, issue 15): the training process's own
 * GanSession is replica 0, and N−1 worker threads (./replica-worker.ts) each run
 * another single-threaded wasm engine with a copy of it. Every step, each replica
 * trains on 1/N of the batch and all of them apply the same update, the mean of the
 * replicas' gradients (./replica-exchange.ts); see ReplicaRole in ./replica-role.ts.
 *
 * Why every replica applies the update rather than one replica broadcasting its new
 * weights: measured with bench/replicas.ts, the broadcast costs a serial optimizer step
 * plus a copy of every weight out of and into N wasm heaps per network per step, where
 * the replicated update costs nothing extra in wall time (the N optimizers run at once).
 *
 * Only replica 0 keeps what the run saves and shows (the EMA, BatchNorm's moving
 * statistics, samples, metrics); the workers' copies need none of it: BatchNorm
 * trains on batch statistics, so the moving statistics never enter the training maths.
 * A worker is started from replica 0's state (weights, optimizer state, random
 * streams), so a run resumed with N replicas continues exactly as it would have.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import { UserError } from '../errors';
import { trainableVariables } from './gan-step';
import { ReplicaExchange, createExchangeBuffers, type ExchangeBuffers } from './replica-exchange';
import type { GanSession, SessionState, TrainingData } from './session';

/** Environment variable read by the replica workers (tests only): `step:K` makes replica 1 throw in step K. */
export const REPLICA_FAULT_ENV = 'GAN_STUDIO_TEST_REPLICA_FAULT';

const CMD_STEP = 1;
export const CMD_STOP = 2;

/** A float32 tensor as plain data (structured-cloned to a worker). */
export interface PlainTensor {
  shape: number[];
  values: Float32Array;
}

/** Everything a worker needs to become a copy of replica 0. */
export interface ReplicaStart {
  rank: number;
  config: TrainConfig;
  dataCount: number;
  labels: Int32Array | null;
  g: PlainTensor[];
  d: PlainTensor[];
  optimizer: {
    g: { step: number; tensors: Record<string, PlainTensor> };
    d: { step: number; tensors: Record<string, PlainTensor> };
  };
  state: SessionState;
  buffers: ExchangeBuffers;
  /** The shared real batch. */
  pixels: SharedArrayBuffer;
  /** [command] (CMD_STEP / CMD_STOP), written by replica 0 before each step's first barrier. */
  command: SharedArrayBuffer;
  /** tf.memory().numTensors of each replica after its last step (leak checks). */
  tensors: SharedArrayBuffer;
}

const plain = (t: tf.Tensor): PlainTensor => ({ shape: [...t.shape], values: (t.dataSync() as Float32Array).slice() });

function plainState(opt: { step: number; tensors: tf.NamedTensorMap }) {
  const tensors: Record<string, PlainTensor> = {};
  for (const [k, t] of Object.entries(opt.tensors)) tensors[k] = plain(t);
  return { step: opt.step, tensors };
}

/** The worker's entry: the TypeScript source run through tsx, or a built .js beside this file. */
function workerEntry(): { url: URL; execArgv: string[] } {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const ts = path.join(dir, 'replica-worker.ts');
  if (existsSync(ts)) {
    let tsx = 'tsx';
    try {
      tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    } catch {
      // a bare specifier, resolved from the working directory
    }
    return { url: pathToFileURL(ts), execArgv: ['--import', tsx] };
  }
  // Built (electron-vite's main bundle): an entry of its own, beside this file or,
  // when this module landed in a shared chunk, one folder up.
  const js = [path.join(dir, 'replica-worker.js'), path.join(dir, '..', 'replica-worker.js')].find((f) =>
    existsSync(f),
  );
  if (!js) throw new UserError(`--replicas needs the replica worker (${ts}), which this build lacks.`);
  return { url: pathToFileURL(js), execArgv: [] };
}

export class ReplicaPool {
  private stopped = false;

  private constructor(
    readonly count: number,
    private readonly session: GanSession,
    private readonly exchange: ReplicaExchange,
    private readonly workers: Worker[],
    private readonly command: Int32Array,
    private readonly tensors: Int32Array,
  ) {}

  /**
   * Starts `count − 1` workers as copies of `session` (its state now) and makes the
   * session replica 0. Rejects with one line when a worker cannot start.
   */
  static async start(session: GanSession, count: number, data: TrainingData): Promise<ReplicaPool> {
    const { config } = session;
    if (!(Number.isInteger(count) && count >= 2))
      throw new RangeError(`a replica pool needs ≥ 2 replicas, got ${count}`);
    if (config.batchSize % count !== 0)
      throw new UserError(
        `--replicas ${count} needs a batch size that splits evenly over ${count} (batchSize is ${config.batchSize}).`,
      );
    const size = (vars: tf.Variable[]) => vars.reduce((s, v) => s + v.size, 0);
    // One slot holds the larger network's gradients, or a step's few statistics.
    const floats = Math.max(size(trainableVariables(session.g)), size(trainableVariables(session.d)), 64);
    const buffers = createExchangeBuffers(count, floats);
    const { resolution, channels } = config.model;
    const pixels = new SharedArrayBuffer(4 * config.batchSize * resolution * resolution * channels);
    const command = new SharedArrayBuffer(4);
    const tensors = new SharedArrayBuffer(4 * count);
    const common = {
      config,
      dataCount: data.count,
      labels: data.labels ? Int32Array.from(data.labels) : null,
      g: session.g.weights.map((w) => plain(w.read())),
      d: session.d.weights.map((w) => plain(w.read())),
      optimizer: { g: plainState(session.optG.getState()), d: plainState(session.optD.getState()) },
      state: session.state,
      buffers,
      pixels,
      command,
      tensors,
    };
    const entry = workerEntry();
    const workers: Worker[] = [];
    try {
      await Promise.all(
        Array.from({ length: count - 1 }, (_, i) => {
          const worker = new Worker(entry.url, {
            workerData: { ...common, rank: i + 1 } satisfies ReplicaStart,
            execArgv: entry.execArgv,
            stderr: false,
          });
          workers.push(worker);
          return new Promise<void>((resolve, reject) => {
            const failed = (why: string) =>
              reject(new UserError(`training replica ${i + 2} of ${count} could not start: ${why}`));
            worker.once('message', (m: { type: string; error?: string }) =>
              m.type === 'ready' ? resolve() : failed(m.error ?? 'unknown error'),
            );
            worker.once('error', (err) => failed(err.message.split('\n')[0]));
            worker.once('exit', (code) => failed(`it exited with code ${code}`));
          });
        }),
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    // A worker that outlives a failed run must not keep the process alive.
    // Failures after the start reach replica 0 through the exchange (ReplicaFailed), not as events.
    for (const w of workers) {
      w.unref();
      w.on('error', () => undefined);
    }
    const exchange = new ReplicaExchange(buffers, 0);
    const commands = new Int32Array(command);
    session.setReplicaRole({
      rank: 0,
      count,
      exchange,
      pixels: new Float32Array(pixels),
      beginStep: () => {
        Atomics.store(commands, 0, CMD_STEP);
        exchange.barrier();
      },
    });
    return new ReplicaPool(count, session, exchange, workers, commands, new Int32Array(tensors));
  }

  /** numTensors of each worker replica after its last step (rank 1…N−1). */
  workerTensorCounts(): number[] {
    return Array.from(this.tensors.subarray(1));
  }

  /** Ends the workers: cleanly between steps, or (after a failure) by failing the exchange and terminating them. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.session.setReplicaRole(null);
    if (!this.exchange.failed) {
      Atomics.store(this.command, 0, CMD_STOP);
      try {
        this.exchange.barrier();
      } catch {
        // a worker failed meanwhile: terminated below
      }
    } else this.exchange.fail('the run stopped');
    const exited = this.workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    const timer = setTimeout(() => this.workers.forEach((w) => void w.terminate()), 5000);
    await Promise.all(exited);
    clearTimeout(timer);
  }

  /** After replica 0 itself failed mid-step: wakes the waiting workers with the reason, then stops them. */
  async abort(why: string): Promise<void> {
    if (!this.exchange.failed) this.exchange.fail(why);
    await this.stop();
  }
}
