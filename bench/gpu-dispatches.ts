/**
 * What one training step really sends to the GPU on webgpu: compute
 * dispatches per WebGPU program and host-to-GPU uploads, next to tf.profile's
 * kernel calls (which include Reshape, Identity and other calls that dispatch
 * nothing on webgpu). The count does not depend on the GPU's speed, so
 * SwiftShader measures it too:
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \
 *     npx tsx bench/gpu-dispatches.ts [--preset dcgan-28] [--batch 2] [--warmup 1] [--set key=value ...] [--unfused] [--json]
 *
 * `--unfused` runs Adam and the EMA as tfjs op chains (src/engine/backend/webgpu-fused.ts off): the before.
 */
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { countWebGpuDispatches } from '../src/engine/backend/webgpu-dispatches';
import { setFusedUpdates } from '../src/engine/backend/webgpu-fused';
import { resolveConfig } from '../src/engine/config/resolve';
import { syntheticData } from '../src/engine/bench';
import { GanSession } from '../src/engine/train/session';
import { arg } from './args';

async function main(): Promise<void> {
  const preset = arg('preset', 'dcgan-28');
  const batch = Number(arg('batch', '2'));
  const warmup = Number(arg('warmup', '1'));
  const sets = process.argv.flatMap((a, i) =>
    a === '--set' && i + 1 < process.argv.length ? [process.argv[i + 1]] : [],
  );
  if (process.argv.includes('--unfused')) setFusedUpdates(false);
  const active = await activateBackend('webgpu');
  if (active.name !== 'webgpu') throw new Error(`webgpu is not available here: ${active.why}`);
  const config = await resolveConfig({ preset, sets, overrides: { batchSize: batch, seed: 1 } });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  // The first steps create the optimizer moments and compile shaders: count a steady step.
  for (let i = 0; i < warmup; i++) await session.trainStep(data);
  const { result: profile, count } = await countWebGpuDispatches(() =>
    tf.profile(async () => {
      await session.trainStep(data);
    }),
  );
  session.dispose();
  const calls = new Map<string, number>();
  for (const k of profile.kernels) calls.set(k.name, (calls.get(k.name) ?? 0) + 1);
  const programs = [...count.byProgram.entries()].sort((a, b) => b[1] - a[1]);
  const kernels = [...calls.entries()].sort((a, b) => b[1] - a[1]);
  if (process.argv.includes('--json')) {
    process.stdout.write(
      JSON.stringify({
        preset,
        batch,
        sets,
        dispatches: count.total,
        uploads: count.uploads,
        kernelCalls: profile.kernels.length,
        programs: Object.fromEntries(programs),
        kernels: Object.fromEntries(kernels),
      }) + '\n',
    );
    return;
  }
  console.log(
    `${preset}, batch ${batch}, webgpu on ${active.adapter?.description ?? 'unknown adapter'}; one step after ${warmup} warm-up`,
  );
  console.log(
    `${count.total} GPU dispatches, ${count.uploads} uploads, ${profile.kernels.length} tfjs kernel calls per step`,
  );
  console.log('dispatches by program:');
  for (const [name, n] of programs) console.log(`  ${name.padEnd(32)}${String(n).padStart(6)}`);
  console.log('tfjs kernel calls:');
  for (const [name, n] of kernels) console.log(`  ${name.padEnd(32)}${String(n).padStart(6)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
