/**
 * Whole training steps on webgpu (SwiftShader) against the JS cpu backend, from
 * the same initial weights and random streams: dcgan-28 as the presets build it,
 * and a many-technique config (spectral norm, R1, DiffAugment, conditional). Narrow
 * widths and batch 2 keep SwiftShader's time down.
 *
 * Tolerance: the step's stats within 1e-4 relative, every weight of G and D within
 * 1e-5 (measured: about 1e-7; float32 sums in another order on the GPU).
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { GanSession } from '../../../src/engine/train/session';
import type { StepStats } from '../../../src/engine/run/stats-log';
import { blobData } from '../../helpers/tf';
import { SN_R1_DIFFAUGMENT } from './configs';
import { skipWebGpu } from './swiftshader';

const weights = async (m: tf.LayersModel): Promise<Float32Array[]> =>
  Promise.all(m.weights.map(async (w) => (await w.read().data()) as Float32Array));

async function oneStep(
  backend: 'cpu' | 'webgpu',
  preset: string,
  sets: string[],
  resolution: number,
  leakCheck: boolean,
) {
  await activateBackend(backend);
  const config = await resolveConfig({
    preset,
    sets: [...sets, 'batchSize=2', 'gridSize=2', 'seed=11', 'model.latentDim=8', 'model.baseWidth=4'],
  });
  const data = {
    ...blobData(8, resolution, 1),
    labels: Int32Array.from({ length: 8 }, (_, i) => i % 3),
    classNames: ['a', 'b', 'c'],
  };
  const session = GanSession.create(config, data.count, data);
  try {
    const stats = await session.trainStep(data);
    const w = [...(await weights(session.g)), ...(await weights(session.d))];
    let leaked = 0;
    if (leakCheck) {
      const before = tf.memory().numTensors;
      await session.trainStep(data);
      leaked = tf.memory().numTensors - before;
    }
    return { stats, w, leaked };
  } finally {
    session.dispose();
  }
}

const STAT_KEYS = ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG'] as const;

function expectClose(got: { stats: StepStats; w: Float32Array[] }, ref: { stats: StepStats; w: Float32Array[] }) {
  for (const k of STAT_KEYS)
    expect(Math.abs(got.stats[k] - ref.stats[k]) / Math.max(1, Math.abs(ref.stats[k])), k).toBeLessThan(1e-4);
  expect(got.w.length).toBe(ref.w.length);
  got.w.forEach((w, i) => {
    let m = 0;
    w.forEach((v, j) => (m = Math.max(m, Math.abs(v - ref.w[i][j]))));
    expect(m, `weight ${i}`).toBeLessThan(1e-5);
  });
}

describe.skipIf(skipWebGpu())('training steps on webgpu match cpu', () => {
  it('dcgan-28: one step, and no tensor leaks over the next', async () => {
    const ref = await oneStep('cpu', 'dcgan-28', [], 28, false);
    const got = await oneStep('webgpu', 'dcgan-28', [], 28, true);
    expectClose(got, ref);
    expect(got.leaked).toBe(0);
    await activateBackend('cpu');
  });

  it('spectral norm + R1 + DiffAugment + conditional: one step', async () => {
    const sets = [...SN_R1_DIFFAUGMENT, 'conditional.enabled=true', 'conditional.numClasses=3'];
    const ref = await oneStep('cpu', 'dcgan-28', sets, 16, false);
    const got = await oneStep('webgpu', 'dcgan-28', sets, 16, false);
    expectClose(got, ref);
    await activateBackend('cpu');
  });
});
