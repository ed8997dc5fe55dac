#!/usr/bin/env node
/**
 * How our wasm training step scales with threads, and the two ways to use more cores.
 *
 *   node bench/threads-scaling.mjs [--preset dcgan-28] [--threads 2] [--rounds 3]
 *                                  [--batch 64] [--steps N] [--warmup W]
 *
 * Each round runs, one after the other (so machine load hits all three alike):
 *   1. `gan-studio bench --threads 1` at batch B: the single-threaded step;
 *   2. `gan-studio bench --threads N` at batch B: intra-op threads (XNNPACK's pool in
 *      the threaded wasm build; what GAN Studio ships);
 *   3. N concurrent `gan-studio bench --threads 1` processes at batch B/N: the best
 *      case of data-parallel replicas (one engine per core, a slice of the batch each),
 *      with no gradient exchange and no BatchNorm synchronisation at all, so an upper
 *      bound for that design.
 * It prints img/s of each (medians), the speed-ups over 1, the serial fraction s that
 * Amdahl's law gives for the measured N-thread speed-up S (s = (N/S − 1)/(N − 1)),
 * what that s predicts for 8 threads, and the 1-minute load average before each run.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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

function bench(threads, b) {
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
    '--json',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const line = out
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (code !== 0 || !line)
        reject(new Error(`bench failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(JSON.parse(line));
    });
  });
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
const loads = [];
for (let r = 1; r <= rounds; r++) {
  loads.push(load1());
  const a = await bench(1, batch);
  one.push(a.imgPerSec);
  loads.push(load1());
  const b = await bench(n, batch);
  if (b.threads !== n) throw new Error(`asked for ${n} threads, the backend ran ${b.threads}`);
  many.push(b.imgPerSec);
  loads.push(load1());
  const parts = await Promise.all(Array.from({ length: n }, () => bench(1, batch / n)));
  // The replicas finish a step together only as fast as the slowest one.
  replicas.push(n * Math.min(...parts.map((p) => p.imgPerSec)));
  log(
    `round ${r}/${rounds}: 1 thread ${a.imgPerSec} | ${n} threads ${b.imgPerSec} | ${n} replicas ${replicas.at(-1).toFixed(2)} img/s (load ${loads.slice(-3).join(', ')})`,
  );
}
const m1 = median(one);
const mn = median(many);
const mr = median(replicas);
const speedup = mn / m1;
const serial = n > 1 ? Math.min(1, Math.max(0, (n / speedup - 1) / (n - 1))) : 1;
const at8 = 1 / (serial + (1 - serial) / 8);
const summary = {
  preset: args.preset,
  batch,
  threads: n,
  rounds,
  oneThreadImgPerSec: m1,
  threadedImgPerSec: mn,
  replicasUpperBoundImgPerSec: Math.round(mr * 100) / 100,
  speedup: Math.round(speedup * 1000) / 1000,
  replicasSpeedup: Math.round((mr / m1) * 1000) / 1000,
  serialFraction: Math.round(serial * 1000) / 1000,
  predictedSpeedupAt8: Math.round(at8 * 100) / 100,
  load1: { min: Math.min(...loads), max: Math.max(...loads) },
  one,
  many,
  replicas: replicas.map((x) => Math.round(x * 100) / 100),
};
process.stdout.write(
  `${args.preset}, batch ${batch}: 1 thread ${m1} img/s, ${n} threads ${mn} img/s (×${summary.speedup}), ` +
    `${n} replicas at most ${summary.replicasUpperBoundImgPerSec} img/s (×${summary.replicasSpeedup}); ` +
    `serial fraction ${summary.serialFraction} → ×${summary.predictedSpeedupAt8} on 8 threads; load ${summary.load1.min}–${summary.load1.max}\n` +
    JSON.stringify(summary) +
    '\n',
);
