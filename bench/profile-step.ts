/**
 * Where a training step's time goes, per kernel, from tf.profile.
 *
 *   npx tsx bench/profile-step.ts [--preset dcgan-28|dcgan-64] [--batch 64] [--warmup 1] [--steps 1]
 *                                 [--backend wasm] [--threads 1] [--stock] [--eager-grads]
 *                                 [--compare stock|eager-grads] [--shapes] [--json]
 *
 * Runs `warmup` untimed steps of GanSession.trainStep on synthetic data, then
 * profiles `steps` steps and prints, per kernel name, the summed kernel time
 * (ms per step), the call count and the share of the step's wall time.
 * `--stock` profiles with the stock wasm kernels wherever GAN Studio registers
 * a faster one (only Conv2DBackpropFilter, which the stock backend lacks, stays).
 * `--eager-grads` computes every input's gradient of the fused conv/matMul ops, as
 * tfjs's customGrad does (src/engine/backend/fused-gradients.ts makes them lazy).
 * `--compare X` measures before (X on) and after (X off) in the same process,
 * alternating step by step (`steps` of each), and prints both columns and the ratio
 * of the wall times: before and after see the same machine load.
 * `--threads N` runs the wasm backend's XNNPACK pool with N threads (default 1).
 * `--shapes` keeps kernels apart by their input shapes (which layer a conv time is).
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setLazyFusedGradients } from '../src/engine/backend/fused-gradients';
import { activateBackend } from '../src/engine/backend/select';
import { setStockWasmKernels } from '../src/engine/backend/wasm-kernels';
import { resolveConfig } from '../src/engine/config/resolve';
import { syntheticData } from '../src/engine/bench';
import { GanSession, type TrainingData } from '../src/engine/train/session';
import { arg } from './args';

type Mode = 'stock' | 'eager-grads';

function setMode(mode: Mode, on: boolean): void {
  if (mode === 'stock') setStockWasmKernels(on);
  else setLazyFusedGradients(!on);
}

interface Tally {
  byKernel: Map<string, { ms: number; calls: number }>;
  wall: number;
  steps: number;
}

async function profileStep(session: GanSession, data: TrainingData, tally: Tally, byShape: boolean): Promise<void> {
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await session.trainStep(data);
  });
  tally.wall += performance.now() - t0;
  tally.steps += 1;
  for (const k of info.kernels) {
    const key = byShape ? `${k.name} ${k.inputShapes.map((s) => (s ?? []).join('×')).join(' ')}` : k.name;
    const e = tally.byKernel.get(key) ?? { ms: 0, calls: 0 };
    e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    e.calls += 1;
    tally.byKernel.set(key, e);
  }
}

const newTally = (): Tally => ({ byKernel: new Map(), wall: 0, steps: 0 });
const perStep = (t: Tally, name: string) => {
  const e = t.byKernel.get(name);
  return { ms: (e?.ms ?? 0) / Math.max(1, t.steps), calls: (e?.calls ?? 0) / Math.max(1, t.steps) };
};
const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  const preset = arg('preset', 'dcgan-28');
  const batch = Number(arg('batch', '64'));
  const warmup = Number(arg('warmup', '1'));
  const steps = Number(arg('steps', '1'));
  const backend = arg('backend', 'wasm') as 'wasm' | 'cpu';
  const stock = process.argv.includes('--stock');
  const eager = process.argv.includes('--eager-grads');
  const compare = arg('compare', '') as Mode | '';
  if (compare !== '' && compare !== 'stock' && compare !== 'eager-grads') {
    throw new Error(`--compare must be stock or eager-grads, got '${compare}'`);
  }
  const json = process.argv.includes('--json');
  const threads = Number(arg('threads', '1'));
  const byShape = process.argv.includes('--shapes');
  await activateBackend(backend, { threads });
  if (stock) setStockWasmKernels(true);
  if (eager) setLazyFusedGradients(false);
  const config = await resolveConfig({ preset, overrides: { batchSize: batch, seed: 1 } });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  const loadBefore = loadNow();
  for (let i = 0; i < warmup; i++) {
    if (compare !== '') setMode(compare, i % 2 === 0);
    await session.trainStep(data);
  }
  const before = newTally();
  const after = newTally();
  for (let s = 0; s < steps; s++) {
    if (compare !== '') {
      setMode(compare, true);
      await profileStep(session, data, before, byShape);
      setMode(compare, false);
    }
    await profileStep(session, data, after, byShape);
  }
  session.dispose();
  const load = `load ${loadBefore} → ${loadNow()}`;
  const names = [...new Set([...before.byKernel.keys(), ...after.byKernel.keys()])];
  const rows = names
    .map((name) => ({ name, before: perStep(before, name), after: perStep(after, name) }))
    .sort((a, b) => Math.max(b.after.ms, b.before.ms) - Math.max(a.after.ms, a.before.ms));
  const sum = (t: Tally) => [...t.byKernel.values()].reduce((p, e) => p + e.ms, 0) / Math.max(1, t.steps);
  const wallAfter = after.wall / after.steps;
  if (json) {
    process.stdout.write(
      JSON.stringify({
        preset,
        batch,
        stock,
        compare: compare || undefined,
        load,
        wallMsPerStep: wallAfter,
        kernelMs: sum(after),
        ...(compare !== '' ? { before: { wallMsPerStep: before.wall / before.steps, kernelMs: sum(before) } } : {}),
        kernels: rows.map((r) => ({
          name: r.name,
          ms: r.after.ms,
          calls: r.after.calls,
          ...(compare ? { before: r.before } : {}),
        })),
      }) + '\n',
    );
    return;
  }
  const what = [stock ? 'stock kernels' : '', eager ? 'eager fused gradients' : ''].filter(Boolean).join(', ');
  console.log(
    `${preset}, batch ${batch}, ${tf.getBackend()}${what ? ` (${what})` : ''}, ${threads} thread(s); ${steps} profiled step(s)${compare ? ' of each' : ''} after ${warmup} warm-up; ${load}`,
  );
  const width = byShape ? 60 : 26;
  if (compare !== '') {
    const wallBefore = before.wall / before.steps;
    console.log(
      `before = --${compare}, after = without it, alternating: wall ${wallBefore.toFixed(0)} → ${wallAfter.toFixed(0)} ms/step (profiled, ratio ${(wallAfter / wallBefore).toFixed(3)}), kernels ${sum(before).toFixed(0)} → ${sum(after).toFixed(0)} ms/step`,
    );
    console.log(
      `${'kernel'.padEnd(width)}${'before ms'.padStart(11)}${'calls'.padStart(7)}${'after ms'.padStart(11)}${'calls'.padStart(7)}`,
    );
    for (const r of rows) {
      if (Math.max(r.before.ms, r.after.ms) < 0.5 && rows.length > 25) continue;
      console.log(
        `${r.name.padEnd(width)}${r.before.ms.toFixed(1).padStart(11)}${String(Math.round(r.before.calls)).padStart(7)}${r.after.ms.toFixed(1).padStart(11)}${String(Math.round(r.after.calls)).padStart(7)}`,
      );
    }
    return;
  }
  console.log(`wall ${wallAfter.toFixed(0)} ms/step (profiled), kernels ${sum(after).toFixed(0)} ms/step`);
  console.log(`${'kernel'.padEnd(width)}${'ms/step'.padStart(10)}${'calls'.padStart(8)}${'share'.padStart(8)}`);
  for (const r of rows) {
    if (r.after.ms < 0.5 && rows.length > 25) continue;
    console.log(
      `${r.name.padEnd(width)}${r.after.ms.toFixed(1).padStart(10)}${String(Math.round(r.after.calls)).padStart(8)}${((100 * r.after.ms) / wallAfter).toFixed(1).padStart(7)}%`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
