/**
 * The GEMM pool's compute threads: a job runs across them, and a thread that dies
 * without throwing (terminated here) fails the job, and every later one, with the
 * pool's one clear error instead of a hang, whether its exit is seen between jobs
 * or only by the job stalling.
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

  it('a thread that dies while the job waits on it fails the job once it stalls', async () => {
    const { p, tasks, workers } = pool(300);
    p.run(tasks); // the worker is up
    void workers[0].terminate(); // the exit event cannot arrive while run() blocks
    expect(() => p.run(tasks)).toThrow(FAILED); // the old pool waited here for ever
    p.stop();
  });
});
