#!/usr/bin/env node
/**
 * How our wasm training step scales with cores, both ways of using them.
 *
 *   node bench/threads-scaling.mjs [--preset dcgan-28] [--threads 2] [--rounds 3]
 *                                  [--batch 64] [--steps N] [--warmup W] [--bound]
 *
 * Each round runs, one after the other (so machine load hits all alike):
 *   1. `gan-studio bench --threads 1` at batch B: the single-threaded step;
 *   2. `gan-studio bench --threads N` at batch B: intra-op threads (XNNPACK's pool in
 *      the threaded wasm build);
 *   3. `gan-studio bench --replicas N` at batch B: data-parallel replicas, N
 *      single-threaded engines (worker threads) on B/N each, with the real gradient
 *      all-reduce through shared memory and the replicated update
 *      (src/engine/train/replicas.ts);
 *   4. with --bound: N concurrent `gan-studio bench --threads 1` processes at batch B/N,
 *      replicas with no exchange at all (an upper bound for that design).
 * It prints img/s of each (medians), the speed-ups over 1, the serial fraction s that
 * Amdahl's law gives for each measured N-way speed-up S (s = (N/S − 1)/(N − 1)), what
 * that s predicts for 8 cores, and the 1-minute load average before each run.
 * It also prints each design's CPU time per step (all threads of the process) over the
 * single thread's: the extra work a design does (exchange, copies, spinning), which the
 * machine's load changes far less than wall time.
 */
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnJson } from './spawn-json.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_STEPS = { 'dcgan-28': { steps: 10, warmup: 2 }, 'dcgan-64': { steps: 2, warmup: 1 } };

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: 'dcgan-28' },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string' },
    warmup: { type: 'string' },
    bound: { type: 'boolean', default: false },
  },
});
const n = Number(args.threads);
const rounds = Number(args.rounds);
const batch = Number(args.batch);
const defaults = DEFAULT_STEPS[args.preset] ?? { steps: 5, warmup: 1 };
const steps = Number(args.steps ?? defaults.steps);
const warmup = Number(args.warmup ?? defaults.warmup);
for (const [k, v] of Object.entries({ threads: n, rounds, batch, steps })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} must be a whole number ≥ 1`);
}
if (batch % n !== 0) throw new Error(`--batch ${batch} must split evenly over --threads ${n}`);

function bench(threads, b, replicas = 1) {
  const argv = [
    join(ROOT, 'bin/gan-studio.mjs'),
    'bench',
    '--preset',
    args.preset,
    '--batch',
    String(b),
    '--steps',
    String(steps),
    '--warmup',
    String(warmup),
    '--backend',
    'wasm',
    '--threads',
    String(threads),
    ...(replicas > 1 ? ['--replicas', String(replicas)] : []),
    '--json',
  ];
  return spawnJson(process.execPath, argv, { cwd: ROOT }).then((r) => r.result);
}

/** The median, to 2 decimals (the mean of two middles would print 80.53999999999999). */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Math.round(m * 100) / 100;
};
const load1 = () => Math.round(loadavg()[0] * 100) / 100;
const log = (s) => process.stderr.write(s + '\n');

const one = [];
const many = [];
const replicas = [];
const cpu = { one: [], many: [], replicas: [] };
const bound = [];
const loads = [];
for (let r = 1; r <= rounds; r++) {
  loads.push(load1());
  const a = await bench(1, batch);
  one.push(a.imgPerSec);
  cpu.one.push(a.cpuMsPerStep);
  loads.push(load1());
  const b = await bench(n, batch);
  if (b.threads !== n) throw new Error(`asked for ${n} threads, the backend ran ${b.threads}`);
  many.push(b.imgPerSec);
  cpu.many.push(b.cpuMsPerStep);
  loads.push(load1());
  const c = await bench(1, batch, n);
  if (c.replicas !== n) throw new Error(`asked for ${n} replicas, the bench ran ${c.replicas}`);
  replicas.push(c.imgPerSec);
  cpu.replicas.push(c.cpuMsPerStep);
  if (args.bound) {
    loads.push(load1());
    const parts = await Promise.all(Array.from({ length: n }, () => bench(1, batch / n)));
    // The replicas finish a step together only as fast as the slowest one.
    bound.push(Math.round(n * Math.min(...parts.map((p) => p.imgPerSec)) * 100) / 100);
  }
  log(
    `round ${r}/${rounds}: 1 thread ${a.imgPerSec} | ${n} threads ${b.imgPerSec} | ${n} replicas ${c.imgPerSec}` +
      (args.bound ? ` | bound ${bound.at(-1)}` : '') +
      ` img/s (load ${loads.slice(args.bound ? -4 : -3).join(', ')})`,
  );
}
const m1 = median(one);
const mn = median(many);
const mr = median(replicas);
/** Amdahl's serial fraction of an N-way speed-up, and what it predicts for 8 cores. */
const amdahl = (speedup) => {
  const serial = n > 1 ? Math.min(1, Math.max(0, (n / speedup - 1) / (n - 1))) : 1;
  return {
    speedup: Math.round(speedup * 1000) / 1000,
    serialFraction: Math.round(serial * 1000) / 1000,
    predictedSpeedupAt8: Math.round((1 / (serial + (1 - serial) / 8)) * 100) / 100,
  };
};
const t = amdahl(mn / m1);
const rep = amdahl(mr / m1);
const cpuMs = { one: median(cpu.one), many: median(cpu.many), replicas: median(cpu.replicas) };
const work = (x) => Math.round((x / cpuMs.one) * 1000) / 1000;
const summary = {
  preset: args.preset,
  batch,
  n,
  rounds,
  oneThreadImgPerSec: m1,
  threadedImgPerSec: mn,
  replicasImgPerSec: mr,
  threads: t,
  replicas: rep,
  ...(args.bound ? { replicasUpperBoundImgPerSec: median(bound) } : {}),
  cpuMsPerStep: cpuMs,
  cpuWorkRatio: { threads: work(cpuMs.many), replicas: work(cpuMs.replicas) },
  load1: { min: Math.min(...loads), max: Math.max(...loads) },
  runs: { one, many, replicas, ...(args.bound ? { bound } : {}) },
};
process.stdout.write(
  `${args.preset}, batch ${batch}: 1 thread ${m1} img/s; ${n} threads ${mn} img/s (×${t.speedup}, serial fraction ${t.serialFraction} → ×${t.predictedSpeedupAt8} on 8); ` +
    `${n} replicas ${mr} img/s (×${rep.speedup}, serial fraction ${rep.serialFraction} → ×${rep.predictedSpeedupAt8} on 8)` +
    (args.bound ? `; no-exchange bound ${summary.replicasUpperBoundImgPerSec} img/s` : '') +
    `; CPU time per step over 1 thread's: threads ×${summary.cpuWorkRatio.threads}, replicas ×${summary.cpuWorkRatio.replicas}` +
    `; load ${summary.load1.min}–${summary.load1.max}\n` +
    JSON.stringify(summary) +
    '\n',
);
