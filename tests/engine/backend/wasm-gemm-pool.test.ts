/**
 * The GEMM pool's compute threads: a job runs across them, and a thread that dies
 * without throwing (terminated here) fails every later job with the pool's one clear
 * error instead of a hang: the job it dies in either runs without it (it had not joined)
 * or fails once it stalls (it had), and its exit, seen between jobs, fails the rest.
 */
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GEMM_WASM_SHARED } from '../../../src/engine/backend/wasm-gemm-binary';
import { GemmPool, POOL_FUNCTIONS } from '../../../src/engine/backend/wasm-gemm-pool';

const LEAKY = POOL_FUNCTIONS.indexOf('leaky');
const FAILED = /a compute thread failed/;

function pool(stallMs?: number) {
  const text = atob(GEMM_WASM_SHARED);
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const p = new GemmPool(ex as never, bytes, memory, 2, stallMs);
  const floats = new Float32Array(memory.buffer);
  // leaky(x, out, n, alpha bits): 64 floats of x at 0, out at 1024 bytes, α = 0.5.
  for (let i = 0; i < 64; i++) floats[i] = i - 32;
  const alpha = new Int32Array(new Float32Array([0.5]).buffer)[0];
  const tasks = Array.from({ length: 16 }, (_, k) => [[LEAKY, k * 16, 1024 + k * 16, 4, alpha]]);
  const out = () => Array.from(floats.subarray(256, 320));
  const workers = (p as unknown as { workers: Worker[] }).workers;
  return { p, tasks, out, workers };
}

const expected = Array.from({ length: 64 }, (_, i) => (i < 32 ? (i - 32) / 2 : i - 32));

describe('GemmPool', () => {
  it('runs a job across its threads', () => {
    const { p, tasks, out } = pool();
    p.run(tasks);
    expect(out()).toEqual(expected);
    p.stop();
  });

  it('a thread that exited between jobs fails the next job and every later one', async () => {
    const { p, tasks, out, workers } = pool();
    p.run(tasks);
    expect(out()).toEqual(expected);
    await workers[0].terminate(); // its exit event is seen here, between jobs
    expect(() => p.run(tasks)).toThrow(FAILED);
    expect(() => p.run(tasks)).toThrow(FAILED);
    p.stop();
  });

  it('a thread that dies while a job runs never hangs it, and fails every later job', async () => {
    const { p, tasks, out, workers } = pool(300);
    p.run(tasks); // the worker is up
    void workers[0].terminate(); // the exit event cannot arrive while run() blocks
    // The job either ran without the dead thread (it never joined: the calling thread took
    // every task, so the output is whole) or failed once it stalled (it had joined); it
    // does not wait for ever (the first pool did).
    let failed = false;
    try {
      p.run(tasks);
    } catch (err) {
      expect(String(err)).toMatch(FAILED);
      failed = true;
    }
    if (!failed) expect(out()).toEqual(expected);
    await new Promise((r) => setTimeout(r, 50)); // the exit event, between jobs
    expect(() => p.run(tasks)).toThrow(FAILED);
    p.stop();
  });
});
