/**
 * Runs on webgpu (SwiftShader) as users meet them: a batch over the memory budget
 * is refused before training with the largest batch that fits; a device lost in
 * mid-run and an out-of-memory error in mid-run stop the run with its last
 * checkpoint intact; the run then resumes on wasm and back on webgpu, and its
 * webgpu checkpoint exports and generates.
 *
 * The out-of-memory error is a real one from Dawn, provoked by asking the live
 * device for a buffer over its size limit (SwiftShader's memory is the host's, so
 * it never runs out at test sizes).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activateBackend, webgpuDevice } from '../../../src/engine/backend';
import { estimateTrainingMemory } from '../../../src/engine/backend/gpu-memory';
import { parseConfig } from '../../../src/engine/config/resolve';
import { exportForWeb } from '../../../src/engine/export-web';
import { generateImages, latents, loadGenerator } from '../../../src/engine/generate';
import { listCheckpoints } from '../../../src/engine/run/run-dir';
import { resumeRun, trainNewRun, type TrainEvent, type TrainingInput } from '../../../src/engine/train/run-training';
import { GanSession } from '../../../src/engine/train/session';
import type { TrainConfig } from '../../../src/shared/config';
import { tempDir } from '../../helpers/temp';
import { blobData } from '../../helpers/tf';
import { skipWebGpu } from './swiftshader';

const data = blobData(8, 16, 1);
const base = {
  name: 'gpu',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 1, latentDim: 4, baseWidth: 4 },
  batchSize: 2,
  gridSize: 2,
  sampleEvery: 0,
  checkpointEvery: 1,
  seed: 7,
  // Live metrics run on webgpu too; the fewest samples keep SwiftShader's time down.
  metrics: { samples: 16 },
};
const configWith = (steps: number, extra: Record<string, unknown> = {}): TrainConfig =>
  parseConfig({ ...base, steps, ...extra });

function input(config: TrainConfig, backend: string, onEvent?: (e: TrainEvent) => void): TrainingInput {
  return { config, data, datasetKey: null, backend, onEvent };
}

const newestStep = async (runDir: string) => (await listCheckpoints(runDir)).at(-1)?.step ?? null;

afterAll(() => {
  delete process.env.GAN_STUDIO_GPU_MEMORY;
});

describe.skipIf(skipWebGpu())('training runs on webgpu (SwiftShader)', () => {
  it('refuses a batch over a tiny memory budget, naming the largest batch that fits; nothing is trained', async () => {
    await activateBackend('webgpu');
    const config = configWith(2, { batchSize: 8 });
    const probe = GanSession.create(config, data.count);
    const one = estimateTrainingMemory(probe, 1, false);
    probe.dispose();
    // Room for exactly 3 images per step.
    process.env.GAN_STUDIO_GPU_MEMORY = String(one.fixedBytes + 3.5 * one.perImageBytes);
    const out = await tempDir();
    await expect(trainNewRun(out, input(config, 'webgpu'))).rejects.toThrow(
      /^Batch 8 does not fit on the GPU: a step needs about [\d.]+ [KM]iB of GPU memory \(estimate\), more than the [\d.]+ [KM]iB budget \(GAN_STUDIO_GPU_MEMORY\); the largest batch that fits is 3 \(--batch 3\)\.$/,
    );
    const [runDir] = await readdir(out);
    expect(await newestStep(path.join(out, runDir))).toBeNull();
    process.env.GAN_STUDIO_GPU_MEMORY = 'lots';
    await expect(trainNewRun(out, input(config, 'webgpu'))).rejects.toThrow(
      /^GAN_STUDIO_GPU_MEMORY="lots" is not a size/,
    );
    delete process.env.GAN_STUDIO_GPU_MEMORY;
  });

  let runDir = '';

  it('a device lost in mid-run stops the run with its last checkpoint intact and a resume offer', async () => {
    await activateBackend('webgpu');
    const out = await tempDir();
    const lose = (e: TrainEvent) => {
      if (e.type === 'checkpoint' && e.step === 2) webgpuDevice()!.destroy();
    };
    const err = await trainNewRun(out, input(configWith(4), 'webgpu', lose)).then(
      () => new Error('the run did not stop'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('GpuFaultError');
    runDir = path.join(out, (await readdir(out))[0]);
    expect(err.message).toMatch(
      /^The GPU device was lost at step 3 \(.+\)\. The run stopped; its last checkpoint \(step 2\) is intact\. To continue, resume with: gan-studio train --resume .+ \(same backend\) or add --backend wasm/,
    );
    expect(await newestStep(runDir)).toBe(2);
    expect(JSON.parse(await readFile(path.join(runDir, 'status.json'), 'utf8'))).toMatchObject({
      status: 'failed',
      step: 3,
    });
  });

  it('resumes on wasm, then an out-of-memory error on webgpu stops it with the wasm checkpoint intact', async () => {
    await activateBackend('wasm');
    await resumeRun(runDir, input(configWith(4), 'wasm'));
    expect(await newestStep(runDir)).toBe(4);

    await activateBackend('webgpu'); // a fresh device: the last one was lost
    const device = webgpuDevice()!;
    const overflow = (e: TrainEvent) => {
      // Dawn answers a buffer over the device limit with a GPU error event, as it does when memory runs out.
      if (e.type === 'start')
        device.createBuffer({ size: Number(device.limits.maxBufferSize) + 256, usage: GPUBufferUsage.STORAGE });
    };
    const err = await resumeRun(runDir, input(configWith(6), 'webgpu', overflow)).then(
      () => new Error('the run did not stop'),
      (e: unknown) => e as Error,
    );
    expect(err.name).toBe('GpuFaultError');
    expect(err.message).toMatch(
      /^The GPU ran out of memory at step 5 \(.+\)\. The run stopped; its last checkpoint \(step 4\) is intact\. To continue, resume on the CPU with: gan-studio train --resume .+ --backend wasm, or start a new run with a smaller --batch\.$/,
    );
    expect(await newestStep(runDir)).toBe(4);
  });

  it('resumes back on webgpu, and its webgpu checkpoint exports and generates', async () => {
    const old = webgpuDevice()!;
    old.destroy(); // as after a driver reset: the next activation makes a fresh device
    await old.lost;
    await activateBackend('webgpu');
    expect(webgpuDevice()).not.toBe(old);
    await resumeRun(runDir, input(configWith(6), 'webgpu'));
    expect(await newestStep(runDir)).toBe(6);
    const state = JSON.parse(await readFile(path.join(runDir, 'checkpoints', 'step-000006', 'state.json'), 'utf8'));
    expect(state.backend).toBe('webgpu');

    const gen = await loadGenerator(runDir);
    const z = latents(3, 4, gen.latentDim);
    const images = await generateImages(gen, z);
    expect(images.count).toBe(4);
    const web = await tempDir();
    await exportForWeb(gen, web);
    expect((await stat(path.join(web, 'model.json'))).size).toBeGreaterThan(100);
    gen.model.dispose();
    // The same checkpoint on cpu gives the same pictures (rounding may differ by one level).
    await activateBackend('cpu');
    const onCpu = await loadGenerator(runDir);
    const ref = await generateImages(onCpu, z);
    onCpu.model.dispose();
    expect(ref.bytes.length).toBe(images.bytes.length);
    let maxDiff = 0;
    images.bytes.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref.bytes[i]))));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});
