/**
 * A data-parallel replica in a worker thread (./replicas.ts): its own single-threaded
 * SIMD wasm engine and a copy of replica 0's GanSession, stepping in lockstep with it.
 *
 * The loop: wait at the step barrier; on CMD_STEP run GanSession.trainStep on this
 * replica's rows (the real batch comes from shared memory, so no dataset is needed
 * here), on CMD_STOP end. Any error is written into the exchange (ReplicaExchange.fail)
 * so that replica 0, blocked in a barrier, fails the step with this replica's reason
 * instead of waiting forever.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../backend';
import { ReplicaExchange, ReplicaFailed } from './replica-exchange';
import { CMD_STOP, REPLICA_FAULT_ENV, type PlainTensor, type ReplicaStart } from './replicas';
import { GanSession, type TrainingData } from './session';

const start = workerData as ReplicaStart;
const exchange = new ReplicaExchange(start.buffers, start.rank);
const tensor = (p: PlainTensor) => tf.tensor(p.values, p.shape, 'float32');

async function build(): Promise<GanSession> {
  await activateBackend('wasm', { threads: 1 });
  // Only replica 0 keeps an EMA (it is what the run saves), so this copy trains without one.
  const config = { ...start.config, ema: { ...start.config.ema, enabled: false } };
  const { g, d, gEma } = GanSession.initialModels(config);
  gEma?.dispose();
  tf.tidy(() => {
    g.weights.forEach((w, i) => w.write(tensor(start.g[i])));
    d.weights.forEach((w, i) => w.write(tensor(start.d[i])));
  });
  const named = (m: Record<string, PlainTensor>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, tensor(v)])) as tf.NamedTensorMap;
  const session = new GanSession(
    config,
    start.dataCount,
    {
      g,
      d,
      gEma: null,
      optimizer: {
        g: { step: start.optimizer.g.step, tensors: named(start.optimizer.g.tensors) },
        d: { step: start.optimizer.d.step, tensors: named(start.optimizer.d.tensors) },
      },
      state: start.state,
    },
    { labels: start.labels ?? undefined },
  );
  session.setReplicaRole({
    rank: start.rank,
    count: start.buffers.replicas,
    exchange,
    pixels: new Float32Array(start.pixels),
  });
  return session;
}

/** tests only: `step:K` makes replica 1 fail as it starts step K. */
function injectedFaultStep(): number | null {
  const m = /^step:(\d+)$/.exec(process.env[REPLICA_FAULT_ENV] ?? '');
  return m && start.rank === 1 ? Number(m[1]) : null;
}

async function run(): Promise<void> {
  let session: GanSession;
  try {
    session = await build();
  } catch (err) {
    parentPort!.postMessage({ type: 'error', error: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    return;
  }
  parentPort!.postMessage({ type: 'ready' });
  const command = new Int32Array(start.command);
  const tensors = new Int32Array(start.tensors);
  const data: TrainingData = {
    count: start.dataCount,
    batch: () => {
      throw new Error('a replica worker reads its rows from shared memory');
    },
    ...(start.labels ? { labels: start.labels } : {}),
  };
  const faultAt = injectedFaultStep();
  try {
    for (;;) {
      // Between steps replica 0 may sample, checkpoint, evaluate or be paused for any time.
      exchange.barrier(Infinity);
      if (Atomics.load(command, 0) === CMD_STOP) break;
      if (faultAt !== null && session.step + 1 === faultAt)
        throw new Error(`fault injected at step ${faultAt} (${REPLICA_FAULT_ENV})`);
      await session.trainStep(data);
      Atomics.store(tensors, start.rank, tf.memory().numTensors);
    }
  } catch (err) {
    // Another replica's failure already holds the reason; otherwise this one is it.
    if (!(err instanceof ReplicaFailed)) exchange.fail(err instanceof Error ? err.message : String(err));
  } finally {
    session.dispose();
  }
}

await run();
