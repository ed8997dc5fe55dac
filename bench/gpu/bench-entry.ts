/**
 * The engine's benchmark as one file for the GPU kit (bench/gpu/build-kit.mjs bundles
 * it). Each command prints one JSON line:
 *
 *   node engine.mjs info
 *   node engine.mjs bench   --backend B --preset P --batch N --steps S --warmup W [--threads T] [--set k=v ...]
 *   node engine.mjs profile --preset P --batch N --steps S --warmup W [--unfused] [--set k=v ...]
 *
 * `profile` is bench/profile-step.ts's webgpu profile: the device is made with
 * timestamp queries (profiling only, so `bench` never has them), and it reports
 * GPU ms and calls per kernel and per WebGPU program. `--unfused` runs the
 * optimizers and the EMA as tfjs op chains: the profile before the fusions.
 */
import { parseArgs } from 'node:util';
import { probeBackends, activateBackend } from '../../src/engine/backend';
import { webgpuTimestamps } from '../../src/engine/backend/webgpu';
import { requestGpuTimestamps } from '../../src/engine/backend/webgpu-adapter';
import { setFusedUpdates } from '../../src/engine/backend/webgpu-fused';
import { benchmark, syntheticData } from '../../src/engine/bench';
import { resolveConfig } from '../../src/engine/config/resolve';
import { GanSession } from '../../src/engine/train/session';
import type { BackendName } from '../../src/shared/config';
import { kernelMsPerStep, newTally, profileStep, rows } from '../kernel-profile';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'dcgan-64' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'webgpu' },
    threads: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    unfused: { type: 'boolean', default: false },
  },
});

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function profile(): Promise<Record<string, unknown>> {
  requestGpuTimestamps();
  const active = await activateBackend('webgpu');
  if (active.name !== 'webgpu') throw new Error(`webgpu is not available: ${active.why}`);
  if (values.unfused) setFusedUpdates(false);
  const batch = Number(values.batch);
  const config = await resolveConfig({
    preset: values.preset,
    sets: values.set,
    overrides: { batchSize: batch, seed: 1 },
  });
  const data = syntheticData(256, config.model.resolution ** 2 * config.model.channels);
  const session = GanSession.create(config, 256);
  try {
    // The first steps create the optimizer slots and compile the pipelines.
    for (let i = 0; i < Number(values.warmup); i++) await session.trainStep(data);
    const tally = newTally();
    for (let i = 0; i < Number(values.steps); i++) await profileStep(session, data, tally);
    const programs = rows(tally.byProgram, tally.steps);
    return {
      kind: 'profile',
      preset: values.preset,
      batch,
      sets: values.set,
      unfused: values.unfused,
      adapter: active.adapter?.description ?? null,
      gpuTimestamps: webgpuTimestamps(),
      steps: tally.steps,
      wallMsPerStep: round(tally.wall / tally.steps, 1),
      gpuMsPerStep: round(kernelMsPerStep(tally)),
      dispatchesPerStep: programs.reduce((n, r) => n + r.calls, 0),
      kernels: rows(tally.byKernel, tally.steps)
        .slice(0, 30)
        .map((r) => ({ name: r.name, ms: round(r.ms), calls: r.calls })),
      programs: programs.map((r) => ({ name: r.name, ms: round(r.ms), calls: r.calls })),
    };
  } finally {
    session.dispose();
  }
}

async function bench(): Promise<Record<string, unknown>> {
  const backend = await activateBackend(values.backend as BackendName, { threads: Number(values.threads) });
  if (backend.name !== values.backend) throw new Error(`${values.backend} is not available: ${backend.why}`);
  const batch = Number(values.batch);
  const r = await benchmark({
    preset: values.preset,
    batch,
    steps: Number(values.steps),
    warmup: Number(values.warmup),
    sets: values.set,
  });
  return {
    kind: 'bench',
    preset: r.preset,
    backend: backend.name,
    adapter: backend.adapter?.description ?? null,
    threads: backend.name === 'wasm' ? Number(values.threads) : undefined,
    batch,
    sets: values.set,
    imgPerSec: round(r.imgPerSec, 2),
    msPerStep: round(r.msPerStep, 2),
  };
}

const command = positionals[0] ?? 'bench';
const line =
  command === 'info'
    ? { kind: 'info', backends: await probeBackends() }
    : command === 'profile'
      ? await profile()
      : command === 'bench'
        ? await bench()
        : null;
if (line == null) {
  process.stderr.write(`unknown command '${command}' (info, bench or profile)\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(line) + '\n');
process.exit(0);
