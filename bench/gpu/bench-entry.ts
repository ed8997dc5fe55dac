/**
 * The engine's benchmark as one file for the GPU kit (bench/gpu/build-kit.mjs bundles
 * it): `node engine.mjs info`, or `node engine.mjs bench --preset P --batch N
 * --steps S --warmup W --backend B [--profile]`, each printing one JSON line.
 * --profile adds the kernels of one step by total time (tf.profile).
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { probeBackends, activateBackend } from '../../src/engine/backend';
import { benchmark } from '../../src/engine/bench';
import { resolveConfig } from '../../src/engine/config/resolve';
import { GanSession } from '../../src/engine/train/session';
import type { BackendName } from '../../src/shared/config';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    preset: { type: 'string', default: 'dcgan-64' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'webgpu' },
    profile: { type: 'boolean', default: false },
  },
});

async function profileStep(preset: string, batch: number) {
  const config = await resolveConfig({ preset, overrides: { batchSize: batch, seed: 1 } });
  const size = config.model.resolution ** 2 * config.model.channels;
  const data = {
    count: 256,
    batch: (idx: ArrayLike<number>) =>
      Float32Array.from({ length: idx.length * size }, (_, i) => Math.tanh(Math.sin(i))),
  };
  const session = GanSession.create(config, 256);
  try {
    await session.trainStep(data); // compile the pipelines first
    const start = performance.now();
    const info = await tf.profile(async () => {
      await session.trainStep(data);
      return [] as tf.Tensor[];
    });
    const wallMs = performance.now() - start;
    const byKernel = new Map<string, { ms: number; count: number }>();
    for (const k of info.kernels) {
      const e = byKernel.get(k.name) ?? { ms: 0, count: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.count += 1;
      byKernel.set(k.name, e);
    }
    const top = [...byKernel.entries()]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 15)
      .map(([name, e]) => ({ name, ms: Math.round(e.ms * 100) / 100, count: e.count }));
    return { wallMs: Math.round(wallMs), kernels: info.kernels.length, top };
  } finally {
    session.dispose();
  }
}

if (positionals[0] === 'info') {
  process.stdout.write(JSON.stringify({ backends: await probeBackends() }) + '\n');
} else {
  const backend = await activateBackend(values.backend as BackendName);
  const batch = Number(values.batch);
  const r = await benchmark({
    preset: values.preset,
    batch,
    steps: Number(values.steps),
    warmup: Number(values.warmup),
    sets: [],
  });
  const line: Record<string, unknown> = {
    preset: r.preset,
    backend: backend.name,
    adapter: backend.adapter?.description ?? null,
    batch,
    imgPerSec: Math.round(r.imgPerSec * 100) / 100,
    msPerStep: Math.round(r.msPerStep * 100) / 100,
  };
  if (values.profile) line.profile = await profileStep(values.preset, batch);
  process.stdout.write(JSON.stringify(line) + '\n');
}
process.exit(0);
