/**
 * A data-parallel replica's part in each step (./replicas.ts). Every replica holds the
 * same weights, optimizer state and random streams; each draws the whole batch's
 * randomness exactly as one engine would (so the streams stay in step and equal to a
 * single engine's), trains on its own rows of the batch, and takes the mean of all
 * replicas' gradients (a fixed-order sum, ./replica-exchange.ts) before the update.
 * This file holds the role and the arithmetic of rows; the session (./session.ts) plays it.
 */
import type * as tf from '@tensorflow/tfjs';
import { copyTensorInto, tensorFrom } from '../backend/wasm-heap';
import type { ReduceGrads } from './gan-step';
import type { ReplicaExchange } from './replica-exchange';

export interface ReplicaRole {
  rank: number;
  count: number;
  exchange: ReplicaExchange;
  /** The whole real batch, shared: rank 0 fills it, each replica reads its rows. */
  pixels: Float32Array;
  /** Rank 0: called as each step begins (wakes the other replicas). */
  beginStep?: () => void;
}

/** The rows of a batch of `batchSize` a session trains on: all of them without a role, else its replica's slice. */
export function replicaRows(role: ReplicaRole | null, batchSize: number): { from: number; to: number } {
  if (!role) return { from: 0, to: batchSize };
  const per = batchSize / role.count;
  return { from: role.rank * per, to: (role.rank + 1) * per };
}

/** A replica's rows of per-sample values drawn for the whole batch (`perRow` values each); all of them without a role. */
export function replicaSlice<T extends Float32Array | Int32Array | Uint32Array>(
  role: ReplicaRole | null,
  batchSize: number,
  values: T,
  perRow = 1,
): T {
  if (!role) return values;
  const { from, to } = replicaRows(role, batchSize);
  return values.slice(from * perRow, to * perRow) as T;
}

/** Gradients → their mean over all replicas, in slot order (bit-identical on every replica). */
export function replicaMeanGrads(exchange: ReplicaExchange): ReduceGrads {
  return (grads: tf.Tensor[]) => {
    let length = 0;
    for (const g of grads) length += copyTensorInto(g, exchange.slot, length);
    const mean = exchange.allReduceMean(length);
    let at = 0;
    return grads.map((g) => {
      const t = tensorFrom(mean.subarray(at, at + g.size), g.shape);
      at += g.size;
      return t;
    });
  };
}
