#!/usr/bin/env node
/**
 * Our training speed next to PyTorch's, on the same CPU.
 *
 *   npm run bench:peer -- [--rounds 3] [--presets dcgan-28,dcgan-64] [--steps N] [--warmup W]
 *                         [--batch 64] [--backend wasm] [--threads 1] [--torch-device cpu|cuda]
 *
 * With --backend webgpu compare against torch on the GPU: --torch-device cuda
 * (torch-peer.py synchronises CUDA around its timing).
 *
 * For each preset it runs `gan-studio bench` (ours) and bench/torch-peer.py
 * (the same models and training step in PyTorch) as separate child processes,
 * alternating ours, torch, ours, torch, … for R rounds so that whatever else
 * the machine is doing hits both about equally. It reports the median img/s of
 * each and the ratio ours/torch (above 1: we are faster), with the 1-minute load
 * average before each run. `--threads N` gives both sides N threads: ours through
 * `gan-studio bench --threads N` (the wasm backend's XNNPACK pool), torch through
 * torch.set_num_threads (its OpenMP pool), with OpenBLAS's own pool at 1 thread,
 * torch's fastest split (measured below). With `--replicas`, ours uses its N cores as
 * N data-parallel replicas instead (`gan-studio bench --replicas N`: one single-threaded
 * wasm engine per worker thread, 1/N of the batch each). See bench/README.md.
 *
 * PyTorch is only used when it is already there (Debian's python3-torch, run
 * with /usr/bin/python3); this script never installs anything.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnJson } from './spawn-json.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Debian's python3 with python3-torch; GAN_STUDIO_PYTHON for another (e.g. a CUDA torch). */
const PYTHON = process.env.GAN_STUDIO_PYTHON || '/usr/bin/python3';
/**
 * Per-preset steps when --steps/--warmup are not given. They keep a default run
 * (3 rounds, both presets) within about 10 minutes on a 2-core machine, where a
 * dcgan-64 step at batch 64 takes ~10-15 s on wasm and ~10-30 s in torch.
 */
const DEFAULT_STEPS = { 'dcgan-28': { steps: 10, warmup: 2 }, 'dcgan-64': { steps: 2, warmup: 1 } };
/** A child that runs longer than this is stuck, not slow. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;

function fail(message) {
  process.stderr.write(`bench:peer: ${message}\n`);
  process.exit(1);
}

function positiveInt(name, value, min = 1) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      batch: { type: 'string', default: '64' },
      backend: { type: 'string', default: 'wasm' },
      threads: { type: 'string', default: '1' },
      replicas: { type: 'boolean', default: false },
      'torch-device': { type: 'string', default: 'cpu' },
      'torch-threads': { type: 'string' },
      'torch-blas-threads': { type: 'string' },
      presets: { type: 'string', default: 'dcgan-28,dcgan-64' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail(err.message);
}
if (args.help) {
  process.stdout.write(
    'usage: npm run bench:peer -- [--rounds 3] [--presets dcgan-28,dcgan-64] [--steps N] [--warmup W]\n' +
      '                          [--batch 64] [--backend wasm] [--threads 1] [--torch-device cpu|cuda]\n' +
      "                          [--torch-threads N] [--torch-blas-threads N]   (torch's OpenMP pool, default --threads; its OpenBLAS pool, default 1)\n" +
      '                          [--replicas]   (ours: --threads N as N data-parallel replicas, not N intra-op threads)\n' +
      'Times our training step (gan-studio bench) and the same step in PyTorch (bench/torch-peer.py),\n' +
      'alternating them, and prints the median img/s of each and the ratio ours/torch.\n' +
      `Without --steps/--warmup: ${Object.entries(DEFAULT_STEPS)
        .map(([p, s]) => `${p} ${s.steps} steps after ${s.warmup} warm-up`)
        .join(', ')}.\n`,
  );
  process.exit(0);
}

const rounds = positiveInt('rounds', args.rounds);
const steps = positiveInt('steps', args.steps);
const warmup = positiveInt('warmup', args.warmup, 0);
const batch = positiveInt('batch', args.batch);
const threads = positiveInt('threads', args.threads);
/**
 * Torch's two CPU pools: torch.set_num_threads (OpenMP, its intra-op pool),
 * N by default, and OpenBLAS's own, 1 by default. Torch calls BLAS from inside
 * its parallel regions, so OpenBLAS threads on top oversubscribe the cores.
 * Measured on a quiet 2-core machine (load 1.4-1.6), img/s at batch 64,
 * OpenMP+OpenBLAS threads: dcgan-28 2+2 161, 2+1 270, 1+2 254, 1+1 240;
 * dcgan-64 2+2 17.3, 2+1 25.2, 1+2 20.8, 1+1 17.3. So N+1 is torch's best
 * use of N cores, and the peer we compare with (bench/README.md).
 */
const torchThreads = positiveInt('torch-threads', args['torch-threads']) ?? threads;
const torchBlasThreads = positiveInt('torch-blas-threads', args['torch-blas-threads']) ?? 1;
const backend = args.backend;
const torchDevice = args['torch-device'];
if (!['cpu', 'cuda'].includes(torchDevice)) fail(`--torch-device must be cpu or cuda, got "${torchDevice}"`);
const presets = args.presets
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
for (const p of presets)
  if (!(p in DEFAULT_STEPS))
    fail(`unknown preset "${p}"; the torch peer knows ${Object.keys(DEFAULT_STEPS).join(', ')}`);
if (presets.length === 0) fail('--presets is empty');

const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
if (probe.error || probe.status !== 0) {
  process.stdout.write(
    "PyTorch not found: install Debian's python3-torch (apt-get install python3-torch) to compare; nothing was installed\n",
  );
  process.exit(0);
}

/** Run a command; resolve with the last JSON line of its stdout, plus its stderr. */
const runChild = (cmd, argv) => spawnJson(cmd, argv, { cwd: ROOT, timeoutMs: CHILD_TIMEOUT_MS });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round2 = (x) => Math.round(x * 100) / 100;
const log = (s) => process.stderr.write(s + '\n');
const load1 = () => Math.round(loadavg()[0] * 100) / 100;

const summaries = [];
let torchInfo;
const started = performance.now();
for (const preset of presets) {
  const s = steps ?? DEFAULT_STEPS[preset].steps;
  const w = warmup ?? DEFAULT_STEPS[preset].warmup;
  const common = ['--preset', preset, '--batch', String(batch), '--steps', String(s), '--warmup', String(w), '--json'];
  const ours = [];
  const torch = [];
  /** 1-minute load average before each run: the machine is shared, so every figure carries it. */
  const loads = [];
  for (let r = 1; r <= rounds; r++) {
    try {
      loads.push(load1());
      const o = await runChild(process.execPath, [
        join(ROOT, 'bin/gan-studio.mjs'),
        'bench',
        ...common,
        '--backend',
        backend,
        ...(args.replicas && threads > 1
          ? ['--threads', '1', '--replicas', String(threads)]
          : ['--threads', String(threads)]),
      ]);
      ours.push(o.result);
      const oursThreads =
        o.result.threads == null
          ? ''
          : (o.result.replicas ?? 1) > 1
            ? `, ${o.result.replicas} replicas`
            : `, ${o.result.threads} thread(s)`;
      log(
        `${preset} round ${r}/${rounds}: ours  ${o.result.imgPerSec} img/s (${o.result.msPerStep} ms/step, ${o.result.backend}${oursThreads}) load ${loads.at(-1)}`,
      );
      loads.push(load1());
      const t = await runChild(PYTHON, [
        join(ROOT, 'bench/torch-peer.py'),
        ...common,
        '--threads',
        String(torchThreads),
        '--blas-threads',
        String(torchBlasThreads),
        '--device',
        torchDevice,
      ]);
      torch.push(t.result);
      log(
        `${preset} round ${r}/${rounds}: torch ${t.result.imgPerSec} img/s (${t.result.msPerStep} ms/step, ${t.result.threads} thread(s), BLAS ${t.result.blasThreads ?? t.result.threads}) load ${loads.at(-1)}`,
      );
      if (torchInfo === undefined && /BLAS reference/.test(t.stderr)) {
        log(
          'note: torch runs on the netlib reference BLAS here, which makes it several times slower than a usual torch;',
        );
        log('      install libopenblas0-pthread for a fair peer (see bench/README.md)');
      }
      torchInfo ??= t.stderr.split('\n').find((l) => l.includes('BLAS'));
    } catch (err) {
      fail(err.message);
    }
  }
  const oursMed = median(ours.map((x) => x.imgPerSec));
  const torchMed = median(torch.map((x) => x.imgPerSec));
  summaries.push({
    preset,
    batch,
    backend: ours[0].backend,
    threads,
    oursThreads: ours[0].threads ?? null,
    oursReplicas: ours[0].replicas ?? 1,
    torchThreads,
    torchBlasThreads,
    rounds,
    steps: s,
    warmup: w,
    oursImgPerSec: round2(oursMed),
    torchImgPerSec: round2(torchMed),
    ratio: Math.round((oursMed / torchMed) * 1000) / 1000,
    ours: ours.map((x) => x.imgPerSec),
    torch: torch.map((x) => x.imgPerSec),
    load1: { min: Math.min(...loads), max: Math.max(...loads), each: loads },
  });
}

const header = ['preset', 'ours img/s', 'torch img/s', 'ratio (ours/torch)', 'load avg (1 min)'];
const rows = summaries.map((x) => [
  x.preset,
  x.oursImgPerSec.toFixed(2),
  x.torchImgPerSec.toFixed(2),
  x.ratio.toFixed(3),
  `${x.load1.min.toFixed(1)}–${x.load1.max.toFixed(1)}`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
const out = [];
out.push('');
const oursThreads =
  summaries[0].oursThreads == null
    ? ''
    : summaries[0].oursReplicas > 1
      ? `, ${summaries[0].oursReplicas} replicas`
      : `, ${summaries[0].oursThreads} thread(s)`;
out.push(
  `ours: ${summaries[0].backend}${oursThreads}; ${torchInfo ? torchInfo.replace(/^.*?torch /, 'torch ') : `torch, ${threads} thread(s)`}`,
);
out.push(
  `batch ${batch}, median of ${rounds} alternating round(s), ${((performance.now() - started) / 1000).toFixed(0)} s in all`,
);
out.push(fmt(header));
out.push(widths.map((n) => '-'.repeat(n)).join('-|-'));
for (const r of rows) out.push(fmt(r));
out.push('');
for (const x of summaries) out.push(JSON.stringify(x));
process.stdout.write(out.join('\n') + '\n');
