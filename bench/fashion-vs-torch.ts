/**
 * Issue 13's Fashion-MNIST check: at equal steps, our dcgan-28 should reach an
 * SWD at or below PyTorch DCGAN's. Both train the same model and step
 * (bench/torch-peer.py is ours layer for layer) on the same Fashion-MNIST
 * training images, and both are scored with the project's own multi-scale
 * SWD (and KID, diversity) against the same held-out reals: images of the
 * official test split, which neither side ever trains on.
 *
 *   npx tsx bench/fashion-vs-torch.ts [--steps 600,2000] [--train 60000] [--heldout 1024] [--samples 1024] [--seed 1] [--threads 1] [--backend wasm] [--no-torch] [--set key=value …] [--json]
 *
 * Ours trains through GanSession with the dcgan-28 preset (metrics off, so no
 * evaluation time is spent inside training); its samples come from the EMA
 * generator with the run's fixed metrics latents (what metrics.jsonl scores)
 * and, for reference, from the raw G and (with --set ema.bnStats=recompute) from G-EMA with G's
 * running statistics, what it samples with by default (ema.bnStats=copy). Torch's come from its G (what a
 * PyTorch DCGAN user samples from) and from an EMA with the same warm-up as
 * ours. The two train side by side (torch in its own process, one thread
 * each by default). Quality at a given step does not depend on the machine's
 * load, so the script can run niced on a busy machine; only its wall time grows.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { activateBackend } from '../src/engine/backend/select';
import { resolveConfig } from '../src/engine/config/resolve';
import { compareWithReference, metricsReference, type MetricValues } from '../src/engine/metrics/compare';
import type { ImageSet } from '../src/engine/metrics/image-set';
import { sampleForMetrics } from '../src/engine/metrics/live';
import { GanSession } from '../src/engine/train/session';
import { arg } from './args';
import { FASHION, readIdx, trainingData } from './fashion-data';

const steps = arg('steps', '600,2000')
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const trainCount = Number(arg('train', '60000'));
const heldoutCount = Number(arg('heldout', '1024'));
const sampleCount = Number(arg('samples', '1024'));
const seed = Number(arg('seed', '1'));
const threads = Number(arg('threads', '1'));
const backendName = arg('backend', 'wasm') as 'wasm';
// --no-torch: ours alone (torch's half repeats itself to the digit on one machine, so its scores can be reused).
const withTorch = !process.argv.includes('--no-torch');
// --set key=value (repeatable): options on top of dcgan-28 for our side, e.g. --set ema.bnStats=recompute.
const sets = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--set' ? [a] : []));
if (!steps.every((s) => Number.isInteger(s) && s > 0)) throw new Error('--steps: whole numbers above 0, e.g. 600,2000');

/** bench/torch-peer.py in quality mode; `onDump` gets each {step, seconds} line it prints after writing a dump. */
function runTorch(args: string[], onDump: (dump: { step: number; seconds: number }) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [path.join(import.meta.dirname, 'torch-peer.py'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      process.stderr.write(`torch: ${line}\n`);
      onDump(JSON.parse(line) as { step: number; seconds: number });
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`torch-peer.py exited with ${code}`))));
  });
}

interface Row extends Pick<MetricValues, 'swd' | 'kid' | 'diversity'> {
  side: string;
  step: number;
  /** Training wall time to this step (under whatever load there was). */
  seconds: number;
}

const train = await readIdx(path.join(FASHION, 'train-images-idx3-ubyte.gz'), trainCount);
const heldout = await readIdx(path.join(FASHION, 't10k-images-idx3-ubyte.gz'), heldoutCount);
const backend = await activateBackend(backendName, { threads });
const reference = await metricsReference(heldout); // features run on tfjs: after the backend is up
const work = await mkdtemp(path.join(tmpdir(), 'gan-fashion-torch-'));
const rows: Row[] = [];
const score = async (side: string, step: number, seconds: number, samples: ImageSet): Promise<void> => {
  const m = await compareWithReference(reference, samples);
  rows.push({ side, step, seconds, swd: m.swd, kid: m.kid, diversity: m.diversity });
  process.stderr.write(
    `${side} @ ${step}: SWD ${m.swd.toFixed(1)}, KID ${m.kid.toFixed(1)} (load ${loadavg()[0].toFixed(1)})\n`,
  );
};

try {
  process.stderr.write(
    `${train.count} training images, ${heldout.count} held out (test split), ${sampleCount} samples per score; ` +
      `ours on ${backend.name} with ${threads} thread(s), torch with ${threads}, side by side; load ${loadavg()[0].toFixed(1)}\n`,
  );

  // PyTorch, on the same training images (raw NHWC bytes), in its own process while ours trains;
  // each dump it announces on stdout is scored as soon as it is written.
  const dataFile = path.join(work, 'train.u8');
  await writeFile(dataFile, train.bytes);
  let torchScores = Promise.resolve();
  const torch = withTorch
    ? runTorch(
        [
          '--preset',
          'dcgan-28',
          '--threads',
          String(threads),
          '--seed',
          String(seed),
          '--train-data',
          dataFile,
          '--dump-at',
          steps.join(','),
          '--dump-dir',
          work,
          '--samples',
          String(sampleCount),
          '--ema-warmup',
        ],
        (dump) => {
          torchScores = torchScores.then(async () => {
            for (const [side, file] of [
              ['torch G', `g-${dump.step}.u8`],
              ['torch G-EMA', `ema-${dump.step}.u8`],
            ] as const) {
              const bytes = new Uint8Array(await readFile(path.join(work, file)));
              await score(side, dump.step, dump.seconds, { count: sampleCount, size: 28, channels: 1, bytes });
            }
          });
        },
      )
    : Promise.resolve();

  // Ours.
  const config = await resolveConfig({ preset: 'dcgan-28', sets: [`seed=${seed}`, 'metrics.enabled=false', ...sets] });
  const data = trainingData(train);
  const session = GanSession.create(config, data.count);
  const started = performance.now();
  try {
    for (const target of steps) {
      while (session.step < target) {
        await session.trainStep(data);
        // trainStep's awaits settle as microtasks, which never let the event loop reach I/O: without this
        // turn, torch's progress lines (and the scoring of its dumps) wait until our training ends.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const seconds = (performance.now() - started) / 1000;
      // G-EMA as trained holds G's running statistics until sampleGenerator recomputes its own (ema.bnStats=recompute).
      if (session.gEma && config.ema.bnStats === 'recompute')
        await score('ours G-EMA, G stats', target, seconds, await sampleForMetrics(session.gEma, config, sampleCount));
      await score('ours G-EMA', target, seconds, await sampleForMetrics(session.sampleGenerator, config, sampleCount));
      await score('ours G', target, seconds, await sampleForMetrics(session.g, config, sampleCount));
    }
  } finally {
    session.dispose();
  }
  await torch;
  await torchScores;
} finally {
  await rm(work, { recursive: true, force: true });
}

if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ seed, rows }) + '\n');
else {
  process.stdout.write(`side         | step | SWD    | KID      | diversity | train s\n`);
  for (const r of [...rows].sort((a, b) => a.step - b.step || a.side.localeCompare(b.side)))
    process.stdout.write(
      `${r.side.padEnd(12)} | ${String(r.step).padStart(4)} | ${r.swd.toFixed(1).padStart(6)} | ${r.kid.toFixed(1).padStart(8)} | ${r.diversity.toFixed(2).padStart(9)} | ${r.seconds.toFixed(0).padStart(7)}\n`,
    );
  process.stdout.write(
    `load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
}
