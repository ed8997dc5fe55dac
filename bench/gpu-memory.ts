/**
 * The GPU memory estimate (src/engine/backend/gpu-memory.ts) against what
 * tfjs-backend-webgpu really allocates for training steps, per config and batch:
 *
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \
 *     npx tsx bench/gpu-memory.ts [--preset dcgan-28] [--batches 1,2,4] [--steps 3] [--set key=value ...] [--json]
 *
 * For each batch: the reuse pool is emptied, a session is made and trained for
 * `steps` steps (the first makes the optimizer slots, the second reaches the
 * step's steady buffer pattern), then "allocated" is the GPU bytes created since
 * (live buffers and the pool, which tfjs never gives back: what must fit) and
 * "peak used" the most held at once. The estimate should be a bounded overestimate
 * of "allocated". Buffer sizes do not depend on the GPU, so SwiftShader measures
 * them as a real GPU would.
 */
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { estimateTrainingMemory } from '../src/engine/backend/gpu-memory';
import { dropFreeGpuBuffers, gpuBufferBytes, peakGpuBytesUsed } from '../src/engine/backend/webgpu-buffers';
import { syntheticData } from '../src/engine/bench';
import { resolveConfig } from '../src/engine/config/resolve';
import { effectivePenalty } from '../src/shared/config';
import { GanSession } from '../src/engine/train/session';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(2);

async function main(): Promise<void> {
  const preset = arg('preset', 'dcgan-28');
  const batches = arg('batches', '1,2,4').split(',').map(Number);
  const steps = Number(arg('steps', '3'));
  const sets = process.argv.flatMap((a, i) =>
    a === '--set' && i + 1 < process.argv.length ? [process.argv[i + 1]] : [],
  );
  const json = process.argv.includes('--json');
  const active = await activateBackend('webgpu');
  if (active.name !== 'webgpu') throw new Error(`webgpu is not available here: ${active.why}`);
  if (!json) {
    console.log(`${preset} ${sets.join(' ')}, ${steps} steps per batch, on ${active.adapter?.description}`);
    console.log('batch  estimate MiB  allocated MiB  peak used MiB  estimate/allocated');
  }
  for (const batch of batches) {
    const config = await resolveConfig({ preset, sets, overrides: { batchSize: batch, seed: 1 } });
    const data = syntheticData(64, config.model.resolution ** 2 * config.model.channels);
    dropFreeGpuBuffers();
    const base = gpuBufferBytes();
    const session = GanSession.create(config, data.count);
    const estimate = estimateTrainingMemory(session, batch, effectivePenalty(config) !== 'none');
    const { peakUsed } = await peakGpuBytesUsed(async () => {
      for (let i = 0; i < steps; i++) await session.trainStep(data);
    });
    const allocated = gpuBufferBytes().allocated - base.allocated;
    session.dispose();
    const row = {
      preset,
      sets,
      batch,
      estimate: estimate.bytes,
      fixedBytes: estimate.fixedBytes,
      perImageBytes: estimate.perImageBytes,
      allocated,
      peakUsed: peakUsed - base.used,
      ratio: estimate.bytes / allocated,
      tensorsLeft: tf.memory().numTensors,
    };
    if (json) process.stdout.write(JSON.stringify(row) + '\n');
    else
      console.log(
        `${String(batch).padStart(5)} ${mib(row.estimate).padStart(13)} ${mib(allocated).padStart(14)} ${mib(row.peakUsed).padStart(14)} ${row.ratio.toFixed(3).padStart(19)}`,
      );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
