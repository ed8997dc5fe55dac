/**
 * The GPU memory estimate (src/engine/backend/gpu-memory.ts) against what
 * tfjs-backend-webgpu really allocates (src/engine/backend/webgpu-buffers.ts):
 * after the reuse pool is emptied, a session's first steps create every buffer
 * the step's pattern needs (the pool keeps them), and that total is what must fit
 * on the GPU. The estimate must be a bounded overestimate: within 1.0–1.5× of the
 * allocated bytes, on a plain dcgan-28 and on a spectral-norm + R1 + DiffAugment
 * config at two batch sizes (bench/gpu-memory.ts measures more; buffer sizes do not depend
 * on the GPU, so SwiftShader measures them as a real GPU would). Narrow widths keep
 * SwiftShader's time down.
 */
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { estimateTrainingMemory } from '../../../src/engine/backend/gpu-memory';
import { dropFreeGpuBuffers, gpuBufferBytes } from '../../../src/engine/backend/webgpu-buffers';
import { syntheticData } from '../../../src/engine/bench';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { effectivePenalty } from '../../../src/shared/config';
import { GanSession } from '../../../src/engine/train/session';
import { SN_R1_DIFFAUGMENT } from './configs';
import { skipWebGpu } from './swiftshader';

async function measure(sets: string[], batch: number): Promise<{ estimate: number; allocated: number }> {
  const config = await resolveConfig({ preset: 'dcgan-28', sets, overrides: { batchSize: batch, seed: 3 } });
  const data = syntheticData(16, config.model.resolution ** 2 * config.model.channels);
  dropFreeGpuBuffers();
  const base = gpuBufferBytes().allocated;
  const session = GanSession.create(config, data.count);
  try {
    const estimate = estimateTrainingMemory(session, batch, effectivePenalty(config) !== 'none').bytes;
    // Step 1 makes the optimizer slots; step 2 runs the steady pattern, whose buffers the pool then holds.
    for (let i = 0; i < 2; i++) await session.trainStep(data);
    return { estimate, allocated: gpuBufferBytes().allocated - base };
  } finally {
    session.dispose();
  }
}

describe.skipIf(skipWebGpu())('the GPU memory estimate against what webgpu allocates', () => {
  it.each([
    ['dcgan-28', ['model.baseWidth=16'], 2],
    ['SN + R1 + DiffAugment', [...SN_R1_DIFFAUGMENT, 'model.baseWidth=16'], 2],
    ['SN + R1 + DiffAugment', [...SN_R1_DIFFAUGMENT, 'model.baseWidth=16'], 8],
  ])('%s (%j), batch %i: estimate within 1.0–1.5× of allocated', async (_name, sets, batch) => {
    await activateBackend('webgpu');
    const { estimate, allocated } = await measure(sets as string[], batch as number);
    const ratio = estimate / allocated;
    expect(ratio, `estimate ${estimate} B, allocated ${allocated} B`).toBeGreaterThanOrEqual(1.0);
    expect(ratio, `estimate ${estimate} B, allocated ${allocated} B`).toBeLessThanOrEqual(1.5);
  });
});
