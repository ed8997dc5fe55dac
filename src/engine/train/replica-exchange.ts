/**
 * Shared memory between data-parallel replicas (one wasm engine per worker thread):
 * a barrier and a fixed-order gradient all-reduce over `SharedArrayBuffer`s.
 *
 * Why a fixed order: float addition is not associative, so the sum of the replicas'
 * gradients must be taken in the same order every time for a run to be deterministic
 * for a seed and a replica count. Each replica writes its gradient into its own slot;
 * then replica r sums chunk r of every slot in slot order 0, 1, …, N−1 (a float32
 * rounding after every add, as a Float32Array store does) into the shared result
 * (reduce-scatter: the N chunks are summed in parallel), and after a second barrier
 * every replica reads the whole result. The value of each element depends only on the
 * slots, never on which replica summed it or on timing.
 *
 * Everything here is synchronous (`Atomics.wait`, allowed on Node's main thread too),
 * because the exchange runs inside tfjs's synchronous gradient step. A replica that
 * fails calls `fail(why)`, which wakes every waiter with a ReplicaFailed naming the
 * replica and why (read from shared memory, since a blocked thread gets no messages)
 * instead of a hang; a waiter also gives up after `timeoutMs`.
 */
import { UserError } from '../errors';

const ERROR_BYTES = 1024;

/** The buffers a replica needs, passed to each worker as workerData. */
export interface ExchangeBuffers {
  replicas: number;
  /** Floats per slot (the largest gradient or weight vector exchanged). */
  floats: number;
  /** [arrived, generation, failed, failedRank + 1]. */
  control: SharedArrayBuffer;
  /** N slots of `floats` float32 each. */
  slots: SharedArrayBuffer;
  /** The reduced vector, `floats` float32. */
  result: SharedArrayBuffer;
  /** UTF-8 text of the first failure: [byte length as int32, bytes…]. */
  error: SharedArrayBuffer;
}

export function createExchangeBuffers(replicas: number, floats: number): ExchangeBuffers {
  if (!Number.isInteger(replicas) || replicas < 1) throw new RangeError(`replicas must be ≥ 1, got ${replicas}`);
  if (!Number.isInteger(floats) || floats < 1) throw new RangeError(`floats must be ≥ 1, got ${floats}`);
  return {
    replicas,
    floats,
    control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
    slots: new SharedArrayBuffer(replicas * floats * Float32Array.BYTES_PER_ELEMENT),
    result: new SharedArrayBuffer(floats * Float32Array.BYTES_PER_ELEMENT),
    error: new SharedArrayBuffer(4 + ERROR_BYTES),
  };
}

/** A step stopped because a replica failed (or the others waited past the time limit); one line for the user. */
export class ReplicaFailed extends UserError {
  override name = 'ReplicaFailed';
}

export class ReplicaExchange {
  private readonly control: Int32Array;
  private readonly slots: Float32Array;
  readonly result: Float32Array;
  readonly replicas: number;
  readonly floats: number;

  constructor(
    buffers: ExchangeBuffers,
    readonly rank: number,
    private readonly timeoutMs = 600_000,
  ) {
    if (!(Number.isInteger(rank) && rank >= 0 && rank < buffers.replicas))
      throw new RangeError(`rank ${rank} is outside 0..${buffers.replicas - 1}`);
    this.replicas = buffers.replicas;
    this.floats = buffers.floats;
    this.control = new Int32Array(buffers.control);
    this.slots = new Float32Array(buffers.slots);
    this.result = new Float32Array(buffers.result);
    this.errorBuffer = buffers.error;
  }

  private readonly errorBuffer: SharedArrayBuffer;

  /** This replica's slot. */
  get slot(): Float32Array {
    return this.slots.subarray(this.rank * this.floats, (this.rank + 1) * this.floats);
  }

  /** Marks the exchange failed (by this replica, because of `why`) and wakes every waiter. The first failure's text is kept. */
  fail(why = 'failed'): void {
    if (Atomics.compareExchange(this.control, 3, 0, this.rank + 1) === 0) {
      const bytes = new TextEncoder().encode(why.split('\n')[0]).subarray(0, ERROR_BYTES);
      new Uint8Array(this.errorBuffer, 4).set(bytes);
      new Int32Array(this.errorBuffer, 0, 1)[0] = bytes.length;
    }
    Atomics.store(this.control, 2, 1);
    Atomics.notify(this.control, 1);
  }

  /** Why the first failure happened, as its replica said. */
  get failure(): string {
    const length = new Int32Array(this.errorBuffer, 0, 1)[0];
    return new TextDecoder().decode(new Uint8Array(this.errorBuffer, 4, length).slice());
  }

  private failedError(): ReplicaFailed {
    const rank = this.failedRank;
    return new ReplicaFailed(
      `training replica ${rank + 1} of ${this.replicas} failed (${this.failure}); the step was stopped and nothing of it was saved. Resume from the last checkpoint, or train with --replicas 1.`,
    );
  }

  get failed(): boolean {
    return Atomics.load(this.control, 2) !== 0;
  }

  /** The rank that failed first, or -1. */
  get failedRank(): number {
    return Atomics.load(this.control, 3) - 1;
  }

  /** Waits until every replica has arrived (sense by generation count), at most `timeoutMs`. Throws ReplicaFailed. */
  barrier(timeoutMs = this.timeoutMs): void {
    const c = this.control;
    if (this.failed) throw this.failedError();
    const generation = Atomics.load(c, 1);
    if (Atomics.add(c, 0, 1) === this.replicas - 1) {
      Atomics.store(c, 0, 0);
      Atomics.add(c, 1, 1);
      Atomics.notify(c, 1);
      return;
    }
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(c, 1) === generation) {
      if (this.failed) throw this.failedError();
      const left = deadline - Date.now();
      if (left <= 0) {
        this.fail(`it waited ${Math.round(timeoutMs / 1000)} s for the other replicas, which stopped answering`);
        throw this.failedError();
      }
      Atomics.wait(c, 1, generation, Math.min(left, 1000));
    }
  }

  /**
   * The mean over replicas of `length` floats each replica has written into its
   * slot (at 0..length), summed in slot order, divided by N; left in `result`.
   */
  allReduceMean(length: number): Float32Array {
    if (length > this.floats) throw new RangeError(`${length} floats exceed the exchange's ${this.floats}`);
    this.barrier();
    const n = this.replicas;
    const chunk = Math.ceil(length / n);
    const from = Math.min(length, this.rank * chunk);
    const to = Math.min(length, from + chunk);
    const out = this.result;
    const slots = this.slots;
    const floats = this.floats;
    out.set(slots.subarray(from, to), from);
    for (let k = 1; k < n; k++) {
      const base = k * floats;
      for (let j = from; j < to; j++) out[j] += slots[base + j];
    }
    if (n > 1) for (let j = from; j < to; j++) out[j] /= n;
    this.barrier();
    return out.subarray(0, length);
  }

  /** Replica `root`'s slot (0..length), copied to every replica through `result`. */
  broadcast(root: number, length: number): Float32Array {
    this.barrier();
    if (this.rank === root) this.result.set(this.slots.subarray(root * this.floats, root * this.floats + length));
    this.barrier();
    return this.result.subarray(0, length);
  }
}
