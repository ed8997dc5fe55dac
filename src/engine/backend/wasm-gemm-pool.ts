/**
 * The relaxed-SIMD GEMM (./wasm-gemm.ts) on several threads, for the threaded wasm build.
 *
 * The threaded build spreads XNNPACK's convolutions over its pthread pool; the GEMM
 * that replaces them must scale too, and must give the same bits as on one thread
 * (tests/cli/train-threads.test.ts trains bit for bit alike with 1 and 2 threads).
 * So a job is a list of tasks, each a sequence of microkernel-block calls writing its
 * own rows of C: the tasks are handed out to the calling thread and `threads − 1`
 * worker_threads (each with its own instance of the module on the same shared memory),
 * and every output value is computed by the same calls in the same order whoever runs
 * them. The calling thread waits with Atomics.wait (allowed in Node's main thread).
 *
 * A worker that throws sets the error word; the job then fails with one clear error.
 * A worker that dies without throwing (terminated, or its thread gone) cannot say so:
 * its exit is seen between jobs (the exit event), and within a job, where the calling
 * thread is blocked and no event can arrive, by the job making no progress for
 * `stallMs`. Either way the job fails with the same error, and so does every later job
 * of the pool: a task may have been left half done.
 *
 * Hand-offs (session 9). A worker *joins* a job before it takes a task (a CAS on the join
 * word), and the calling thread, once no task is left to take, *closes* the job and waits
 * only for the workers that joined it. So a worker that wakes late (its core busy, or a
 * small job the calling thread finished alone) costs the job nothing; the earlier pool
 * waited for every worker to wake and check in, for every job. Between jobs a worker
 * spins for SPIN_MS on the generation word before it sleeps, and the calling thread spins
 * on the done count before it sleeps, so back-to-back jobs (a kernel's phases, the next
 * op's job) skip the futex wake-ups. `setPoolJoin(false)` (or GAN_STUDIO_WASM_POOL=wait-all)
 * makes the calling thread wait, as the earlier pool did, until every worker has woken and
 * joined each job, for before/after figures; the calls, and so the bits, are the same either way.
 */
import { Worker } from 'node:worker_threads';

/**
 * The module's exports a task can call, by index: a call is [index, then up to 13 i32
 * arguments] (the element-wise kernels of ./wasm-elementwise.ts take fewer; the rest are ignored).
 */
export const POOL_FUNCTIONS = [
  'block',
  'blockInd',
  'leaky',
  'leakyGrad',
  'colSum',
  'adam',
  'transpose',
  'swapRuns',
  'bnorm',
  'copyRuns',
  'packB',
  'binop',
] as const;
export type BlockCall = number[];
const CALL_INTS = 14;

// Control words (Int32Array over a SharedArrayBuffer).
const GEN = 0; // job generation: bumped to start a job; −1 stops the workers
const NEXT = 1; // next task index to take
const TASKS = 2; // number of tasks in the job
const DONE = 3; // workers finished with this generation
const ERROR = 4; // 1 once a worker failed
const JOIN = 5; // workers that joined this job; −1 once closed (the calling thread took the last task)
const CTRL_INTS = 8;

/** How long a worker spins for the next job, and the calling thread for the last workers, before sleeping. */
const SPIN_MS = 0.1;

let joinProtocol = typeof process === 'undefined' || process.env?.GAN_STUDIO_WASM_POOL !== 'wait-all';
/** For before/after benchmarks: false = every worker checks in for every job (the earlier pool). Returns the previous setting. */
export function setPoolJoin(on: boolean): boolean {
  const prev = joinProtocol;
  joinProtocol = on;
  return prev;
}

/** Calls and tasks held at once (a job with more runs in several rounds). */
const MAX_CALLS = 1 << 16;
const MAX_TASKS = 1 << 14;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, ctrl, calls, tasks, pack } = workerData;
const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
if (pack) ex.setPack(pack);
const fns = ${JSON.stringify(POOL_FUNCTIONS)}.map((name) => ex[name]);
const c = new Int32Array(ctrl);
const q = new Int32Array(calls);
const t = new Int32Array(tasks);
let gen = 0;
function tasksOfJob() {
  const n = Atomics.load(c, ${TASKS});
  for (let k = Atomics.add(c, ${NEXT}, 1); k < n; k = Atomics.add(c, ${NEXT}, 1)) {
    for (let i = t[2 * k]; i < t[2 * k + 1]; i++) {
      const o = i * ${CALL_INTS};
      fns[q[o]](q[o + 1], q[o + 2], q[o + 3], q[o + 4], q[o + 5], q[o + 6], q[o + 7], q[o + 8], q[o + 9], q[o + 10], q[o + 11], q[o + 12], q[o + 13]);
    }
  }
}
for (;;) {
  let g = Atomics.load(c, ${GEN});
  if (g === gen) {
    const until = performance.now() + ${SPIN_MS};
    while (g === gen && performance.now() < until) {
      for (let s = 0; s < 64 && g === gen; s++) g = Atomics.load(c, ${GEN});
    }
    if (g === gen) {
      Atomics.wait(c, ${GEN}, gen);
      g = Atomics.load(c, ${GEN});
    }
  }
  if (g < 0) break;
  if (g === gen) continue;
  gen = g;
  let v = Atomics.load(c, ${JOIN});
  while (v >= 0) {
    const was = Atomics.compareExchange(c, ${JOIN}, v, v + 1);
    if (was === v) break;
    v = was;
  }
  if (v < 0) continue; // closed: the job is done or nearly, without us
  Atomics.notify(c, ${JOIN}); // for the earlier hand-off, which waits for every worker to join
  // Joined the job now open (its tables were written before it opened); the calling
  // thread waits for our done before it starts another.
  gen = Atomics.load(c, ${GEN});
  try {
    tasksOfJob();
  } catch (err) {
    Atomics.store(c, ${ERROR}, 1);
  }
  Atomics.add(c, ${DONE}, 1);
  Atomics.notify(c, ${DONE});
}
`;

type Exports = Record<(typeof POOL_FUNCTIONS)[number], (...args: number[]) => void>;

function runCall(ex: Exports, call: BlockCall): void {
  const [fn, ...args] = call;
  ex[POOL_FUNCTIONS[fn]](...args);
}

/** Runs tasks on the calling thread only. */
export function runTasksHere(ex: Exports, tasks: BlockCall[][]): void {
  for (const task of tasks) for (const call of task) runCall(ex, call);
}

export class GemmPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
  private readonly calls = new Int32Array(new SharedArrayBuffer(MAX_CALLS * CALL_INTS * 4));
  private readonly tasks = new Int32Array(new SharedArrayBuffer(MAX_TASKS * 2 * 4));
  private readonly workers: Worker[] = [];
  private stopped = false;

  /**
   * `stallMs`: how long a job may go without a task finishing before its missing workers
   * count as dead. A task is a slice of one kernel (milliseconds), so a minute is far
   * beyond any live worker's delay, even on a loaded machine. `packs`: each worker's
   * packed-A buffer (`setPack`; needed by the block calls, not by the element-wise ones).
   */
  constructor(
    private readonly ex: Exports,
    bytes: Uint8Array,
    memory: WebAssembly.Memory,
    readonly threads: number,
    private readonly stallMs = 60_000,
    packs: number[] = [],
  ) {
    for (let i = 1; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          bytes,
          memory,
          ctrl: this.ctrl.buffer,
          calls: this.calls.buffer,
          tasks: this.tasks.buffer,
          pack: packs[i - 1] ?? 0,
        },
      });
      w.unref(); // never keeps the process alive
      w.on('error', () => Atomics.store(this.ctrl, ERROR, 1));
      w.on('exit', () => {
        if (!this.stopped) Atomics.store(this.ctrl, ERROR, 1);
      });
      this.workers.push(w);
    }
  }

  /** Ends the workers (once the backend they served is gone); later jobs run on the calling thread. */
  stop(): void {
    this.stopped = true;
    Atomics.store(this.ctrl, GEN, -1);
    Atomics.notify(this.ctrl, GEN);
  }

  /** Runs every task (its calls in order) across the pool; returns when all are done. */
  run(tasks: BlockCall[][]): void {
    if (this.stopped) {
      runTasksHere(this.ex, tasks); // the same calls, so the same bits
      return;
    }
    let t0 = 0;
    while (t0 < tasks.length) {
      // One round: as many whole tasks as fit.
      let nCalls = 0;
      let t1 = t0;
      while (t1 < tasks.length && t1 - t0 < MAX_TASKS && nCalls + tasks[t1].length <= MAX_CALLS) {
        nCalls += tasks[t1].length;
        t1++;
      }
      if (t1 === t0) throw new Error(`wasm GEMM: a task of ${tasks[t0].length} calls exceeds the pool's ${MAX_CALLS}`);
      this.round(tasks.slice(t0, t1));
      t0 = t1;
    }
  }

  private round(tasks: BlockCall[][]): void {
    const { ctrl, calls, tasks: tt } = this;
    let i = 0;
    tasks.forEach((task, k) => {
      tt[2 * k] = i;
      for (const call of task) calls.set(call, i++ * CALL_INTS);
      tt[2 * k + 1] = i;
    });
    const join = joinProtocol;
    Atomics.store(ctrl, NEXT, 0);
    Atomics.store(ctrl, TASKS, tasks.length);
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, JOIN, 0); // open (before the generation moves: a waking worker finds it so)
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    const n = tasks.length;
    for (let k = Atomics.add(ctrl, NEXT, 1); k < n; k = Atomics.add(ctrl, NEXT, 1)) {
      for (const call of tasks[k]) runCall(this.ex, call);
    }
    if (!join) {
      // The earlier hand-off: wait until every worker has woken and joined (checked in).
      let progress = performance.now();
      for (let v = Atomics.load(ctrl, JOIN); v < this.workers.length;) {
        if (Atomics.load(ctrl, ERROR) !== 0) break;
        Atomics.wait(ctrl, JOIN, v, Math.min(1000, this.stallMs));
        const now = Atomics.load(ctrl, JOIN);
        if (now !== v) progress = performance.now();
        else if (performance.now() - progress > this.stallMs) Atomics.store(ctrl, ERROR, 1);
        v = now;
      }
    }
    // Close the job: the workers that joined are the ones to wait for.
    let want = 0;
    for (let v = Atomics.load(ctrl, JOIN); ;) {
      const was = Atomics.compareExchange(ctrl, JOIN, v, -1);
      if (was === v) {
        want = v;
        break;
      }
      v = was;
    }
    const spinUntil = performance.now() + SPIN_MS;
    while (Atomics.load(ctrl, DONE) < want && performance.now() < spinUntil) {
      for (let s = 0; s < 64 && Atomics.load(ctrl, DONE) < want; s++);
    }
    let progress = performance.now();
    for (let done = Atomics.load(ctrl, DONE); done < want;) {
      if (Atomics.load(ctrl, ERROR) !== 0) break;
      Atomics.wait(ctrl, DONE, done, Math.min(1000, this.stallMs));
      const now = Atomics.load(ctrl, DONE);
      if (now !== done) progress = performance.now();
      else if (performance.now() - progress > this.stallMs) Atomics.store(ctrl, ERROR, 1);
      done = now;
    }
    if (Atomics.load(ctrl, ERROR) !== 0) {
      throw new Error('wasm GEMM: a compute thread failed (the step is abandoned; resume from the last checkpoint)');
    }
  }
}
