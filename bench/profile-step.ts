/**
 * Where a training step's time goes, per kernel, from tf.profile.
 *
 *   npx tsx bench/profile-step.ts [--preset dcgan-28|dcgan-64] [--batch 64] [--warmup 1] [--steps 1]
 *                                 [--backend wasm] [--threads 1] [--stock] [--json]
 *
 * Runs `warmup` untimed steps of GanSession.trainStep on synthetic data, then
 * profiles `steps` steps and prints, per kernel name, the summed kernel time
 * (ms per step), the call count and the share of the step's wall time.
 * `--stock` profiles with the stock wasm kernels wherever GAN Studio registers
 * a faster one (only Conv2DBackpropFilter, which the stock backend lacks, stays),
 * so before/after can be compared in the same run on the same machine load.
 * `--threads N` runs the wasm backend's XNNPACK pool with N threads (default 1).
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { setStockWasmKernels } from '../src/engine/backend/wasm-kernels';
import { resolveConfig } from '../src/engine/config/resolve';
import { Rng } from '../src/engine/rng';
import { GanSession, type TrainingData } from '../src/engine/train/session';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function syntheticData(count: number, size: number): TrainingData {
  const pool = new Rng(1).normal(new Float32Array(count * size)).map((v) => Math.tanh(v));
  return {
    count,
    batch(indices, out = new Float32Array(indices.length * size)) {
      for (let i = 0; i < indices.length; i++)
        out.set(pool.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
      return out;
    },
  };
}

async function main(): Promise<void> {
  const preset = arg('preset', 'dcgan-28');
  const batch = Number(arg('batch', '64'));
  const warmup = Number(arg('warmup', '1'));
  const steps = Number(arg('steps', '1'));
  const backend = arg('backend', 'wasm') as 'wasm' | 'cpu';
  const stock = process.argv.includes('--stock');
  const json = process.argv.includes('--json');
  const threads = Number(arg('threads', '1'));
  await activateBackend(backend, { threads });
  if (stock) setStockWasmKernels(true);
  const config = await resolveConfig({ preset, overrides: { batchSize: batch, seed: 1 } });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  for (let i = 0; i < warmup; i++) await session.trainStep(data);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let wall = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const info = await tf.profile(async () => {
      await session.trainStep(data);
    });
    wall += performance.now() - t0;
    for (const k of info.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls += 1;
      byKernel.set(k.name, e);
    }
  }
  session.dispose();
  const rows = [...byKernel.entries()]
    .map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps }))
    .sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((p, r) => p + r.ms, 0);
  const wallPerStep = wall / steps;
  if (json) {
    process.stdout.write(
      JSON.stringify({ preset, batch, stock, wallMsPerStep: wallPerStep, kernelMs: total, kernels: rows }) + '\n',
    );
    return;
  }
  console.log(
    `${preset}, batch ${batch}, ${tf.getBackend()}${stock ? ' (stock kernels)' : ''}; ${steps} profiled step(s) after ${warmup} warm-up; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`wall ${wallPerStep.toFixed(0)} ms/step (profiled), kernels ${total.toFixed(0)} ms/step`);
  console.log(`${'kernel'.padEnd(26)}${'ms/step'.padStart(10)}${'calls'.padStart(8)}${'share'.padStart(8)}`);
  for (const r of rows) {
    if (r.ms < 0.5 && rows.length > 25) continue;
    console.log(
      `${r.name.padEnd(26)}${r.ms.toFixed(1).padStart(10)}${String(Math.round(r.calls)).padStart(8)}${((100 * r.ms) / wallPerStep).toFixed(1).padStart(7)}%`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
