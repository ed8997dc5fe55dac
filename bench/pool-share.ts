/**
 * How much of a training step runs on the GEMM pool and how much on the calling thread
 * alone (the serial fraction that limits the 1 → N thread speed-up), per kernel.
 *
 *   npx tsx bench/pool-share.ts [--preset dcgan-28] [--threads 2] [--steps 4] [--warmup 2]
 *   npx tsx bench/pool-share.ts --ab pool-wait-all|<switch> [--threads 2] [--steps 10]
 *
 * Wraps every registered wasm kernel (top-level calls only) and GemmPool.run with
 * timers: per kernel, its wall ms per step, the ms inside pool jobs (split across the
 * threads) and the ms outside them (one thread; XNNPACK's own kernels may still use its
 * pthreadpool there), plus pool jobs and tasks per step. The step's time outside any
 * kernel (tfjs's JS: tape, gradients, disposal) is listed as "(outside kernels)".
 * Amdahl's serial fraction at 1 thread is then estimated as S / (S + T·P), S the
 * serial ms and P the pool ms per step at T threads (a perfect split inside the jobs,
 * so an upper bound on what the pool gives).
 *
 * `--ab X`: no per-kernel table; steps alternate X on (before) / off (after), unprofiled,
 * and the median and mean step wall of each are printed with their ratio (after / before).
 * X: pool-wait-all (the pool's earlier hand-off, ./wasm-gemm-pool.ts setPoolJoin); gemm-per-block
 * (a GEMM packs B and runs one pool job per KC block of k, as before session 9: setWasmGemmOneJob);
 * xnnpack-binary (Add/Sub/Multiply/Square on XNNPACK's kernels, not ./wasm-binary.ts); session9 (all three);
 * stock-pad (Conv2DBackpropFilter's im2col crop/zero-pad as stock Slice + PadV2, not the module's copies).
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { setWasmBinaryEnabled } from '../src/engine/backend/wasm-binary';
import { setConvFilterPadOnModule } from '../src/engine/backend/wasm-conv-filter';
import { setWasmGemmOneJob } from '../src/engine/backend/wasm-gemm';
import { GemmPool, setPoolJoin } from '../src/engine/backend/wasm-gemm-pool';
import { resolveConfig } from '../src/engine/config/resolve';
import { syntheticData } from '../src/engine/bench';
import { GanSession } from '../src/engine/train/session';
import { arg } from './args';

interface Row {
  ms: number;
  pool: number;
  calls: number;
  jobs: number;
  tasks: number;
}

async function main(): Promise<void> {
  const preset = arg('preset', 'dcgan-28');
  const threads = Number(arg('threads', '2'));
  const steps = Number(arg('steps', '4'));
  const warmup = Number(arg('warmup', '2'));
  await activateBackend('wasm', { threads });
  const ab = arg('ab', '');
  if (ab !== '') return abSteps(ab, preset, threads, steps, warmup);
  let poolMs = 0;
  let jobs = 0;
  let tasks = 0;
  const run = GemmPool.prototype.run;
  GemmPool.prototype.run = function (this: GemmPool, t: number[][][]): void {
    const t0 = performance.now();
    run.call(this, t);
    poolMs += performance.now() - t0;
    jobs += 1;
    tasks += t.length;
  };
  const rows = new Map<string, Row>();
  /** Kernels run inside another (GAN Studio's kernels call stock ones), as "outer > inner"; not in the totals. */
  const nested = new Map<string, Row>();
  const stack: string[] = [];
  let on = false;
  for (const k of tf.getKernelsForBackend('wasm')) {
    const orig = k.kernelFunc;
    (k as { kernelFunc: typeof orig }).kernelFunc = (args) => {
      if (!on) return orig(args);
      const key = stack.length > 0 ? `  ${stack[0]} > ${k.kernelName}` : k.kernelName;
      const map = stack.length > 0 ? nested : rows;
      stack.push(k.kernelName);
      const [p0, j0, n0, t0] = [poolMs, jobs, tasks, performance.now()];
      try {
        return orig(args);
      } finally {
        stack.pop();
        const r = map.get(key) ?? { ms: 0, pool: 0, calls: 0, jobs: 0, tasks: 0 };
        r.ms += performance.now() - t0;
        r.pool += poolMs - p0;
        r.calls += 1;
        r.jobs += jobs - j0;
        r.tasks += tasks - n0;
        map.set(key, r);
      }
    };
  }
  const config = await resolveConfig({ preset, sets: [], overrides: { batchSize: 64, seed: 1 } });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  for (let i = 0; i < warmup; i++) await session.trainStep(data);
  const l0 = loadavg()[0].toFixed(1);
  on = true;
  const w0 = performance.now();
  for (let i = 0; i < steps; i++) await session.trainStep(data);
  const wall = (performance.now() - w0) / steps;
  on = false;
  session.dispose();
  const list = [...rows.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = list.reduce((s, [, r]) => s + r.ms, 0) / steps;
  const pool = list.reduce((s, [, r]) => s + r.pool, 0) / steps;
  console.log(
    `${preset}, ${threads} thread(s), ${steps} steps after ${warmup}; load ${l0} → ${loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `step ${wall.toFixed(1)} ms; in kernels ${inKernels.toFixed(1)}, of which in pool jobs ${pool.toFixed(1)}`,
  );
  console.log('kernel | ms/step | pool ms | serial ms | calls | jobs | tasks (per step)');
  for (const [name, r] of list) {
    if (r.ms / steps < 0.5) continue;
    const f = (x: number) => (x / steps).toFixed(1);
    console.log(
      `${name} | ${f(r.ms)} | ${f(r.pool)} | ${f(r.ms - r.pool)} | ${f(r.calls)} | ${f(r.jobs)} | ${f(r.tasks)}`,
    );
  }
  for (const [name, r] of [...nested.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    if (r.ms / steps < 0.5) continue;
    const f = (x: number) => (x / steps).toFixed(1);
    console.log(
      `${name} | ${f(r.ms)} | ${f(r.pool)} | ${f(r.ms - r.pool)} | ${f(r.calls)} | ${f(r.jobs)} | ${f(r.tasks)}`,
    );
  }
  console.log(`(outside kernels) | ${(wall - inKernels).toFixed(1)} | 0 | ${(wall - inKernels).toFixed(1)}`);
  const S = wall - pool;
  console.log(
    `serial ${S.toFixed(1)} ms, pool ${pool.toFixed(1)} ms: est. serial fraction at 1 thread S/(S+${threads}·P) = ${(S / (S + threads * pool)).toFixed(2)}`,
  );
}

const SWITCHES: Record<string, (before: boolean) => void> = {
  'pool-wait-all': (before) => setPoolJoin(!before),
  'gemm-per-block': (before) => setWasmGemmOneJob(!before),
  'xnnpack-binary': (before) => setWasmBinaryEnabled(!before),
  'stock-pad': (before) => setConvFilterPadOnModule(!before),
  session9: (before) => {
    setPoolJoin(!before);
    setWasmGemmOneJob(!before);
    setWasmBinaryEnabled(!before);
  },
};

async function abSteps(ab: string, preset: string, threads: number, steps: number, warmup: number): Promise<void> {
  const set = SWITCHES[ab];
  if (set == null) throw new Error(`--ab must be one of ${Object.keys(SWITCHES).join(', ')}`);
  const config = await resolveConfig({ preset, sets: [], overrides: { batchSize: 64, seed: 1 } });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  for (let i = 0; i < warmup; i++) {
    set(i % 2 === 0);
    await session.trainStep(data);
  }
  const l0 = loadavg()[0].toFixed(1);
  const t: [number[], number[]] = [[], []];
  for (let i = 0; i < 2 * steps; i++) {
    const before = i % 4 === 0 || i % 4 === 3; // ABBA
    set(before);
    const t0 = performance.now();
    await session.trainStep(data);
    t[before ? 0 : 1].push(performance.now() - t0);
  }
  session.dispose();
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(
    `${preset}, ${threads} thread(s), --ab ${ab}, ${steps} steps each (ABBA) after ${warmup}; load ${l0} → ${loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `before median ${med(t[0]).toFixed(1)} mean ${mean(t[0]).toFixed(1)} ms/step; after median ${med(t[1]).toFixed(1)} mean ${mean(t[1]).toFixed(1)}; ratio median ${(med(t[1]) / med(t[0])).toFixed(3)} mean ${(mean(t[1]) / mean(t[0])).toFixed(3)}`,
  );
}

void main();
