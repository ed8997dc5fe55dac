/**
 * Live metrics on webgpu (SwiftShader): a run trained on webgpu writes
 * metrics.jsonl at step 0 and at its end, and the end's values equal those of
 * the same checkpoint evaluated on the cpu backend. The metrics maths reads
 * tensors back asynchronously, which tfjs-webgpu in Node needs (its dataSync
 * goes through an OffscreenCanvas that Node lacks).
 *
 * Tolerance: 1e-3 relative on SWD, KID and diversity (the samples' bytes may
 * round one level apart between backends; measured differences are far below).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { parseConfig } from '../../../src/engine/config/resolve';
import { loadGenerator } from '../../../src/engine/generate';
import { metricsReference } from '../../../src/engine/metrics/compare';
import { imagesOf, readHoldout } from '../../../src/engine/metrics/holdout';
import { evaluateGenerator, METRICS_FILE, readMetrics } from '../../../src/engine/metrics/live';
import { trainNewRun, type TrainEvent } from '../../../src/engine/train/run-training';
import { tempDir } from '../../helpers/temp';
import { blobData } from '../../helpers/tf';
import { skipWebGpu } from './swiftshader';

const data = blobData(8, 16, 1);
const config = parseConfig({
  name: 'gpu-metrics',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 1, latentDim: 4, baseWidth: 4 },
  batchSize: 2,
  gridSize: 2,
  sampleEvery: 0,
  checkpointEvery: 1,
  steps: 1,
  seed: 5,
  metrics: { every: 1, samples: 16 },
});

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));

describe.skipIf(skipWebGpu())('live metrics on webgpu', () => {
  it('a webgpu run writes metrics.jsonl, equal to a cpu evaluation of its checkpoint', async () => {
    await activateBackend('webgpu');
    const out = await tempDir();
    const events: TrainEvent[] = [];
    await trainNewRun(out, { config, data, datasetKey: null, backend: 'webgpu', onEvent: (e) => events.push(e) });
    const runDir = path.join(out, (await readdir(out))[0]);
    // Nothing said the metrics were off.
    const said = events.flatMap((e) => ('message' in e && typeof e.message === 'string' ? [e.message] : []));
    expect(said.filter((m) => /metrics are off/i.test(m))).toEqual([]);

    const lines = await readMetrics(path.join(runDir, METRICS_FILE));
    expect(lines.map((l) => l.step)).toEqual([0, 1]);
    for (const l of lines) {
      for (const v of [l.swd, l.kid, l.diversity, ...l.swdLevels]) expect(Number.isFinite(v)).toBe(true);
      expect(l.samples).toBe(16);
    }
    expect(lines[1].swd).toBeGreaterThan(0);
    const state = JSON.parse(await readFile(path.join(runDir, 'checkpoints', 'step-000001', 'state.json'), 'utf8'));
    expect(state.backend).toBe('webgpu');

    // The same checkpoint and the same reals, scored on cpu.
    await activateBackend('cpu');
    const gen = await loadGenerator(runDir);
    try {
      const split = (await readHoldout(runDir))!;
      const reals = imagesOf(data, split.heldout, 16, 1);
      const ref = await evaluateGenerator(gen.model, config, await metricsReference(reals), 16);
      const got = lines[1];
      expect(relative(got.swd, ref.swd), 'swd').toBeLessThan(1e-3);
      got.swdLevels.forEach((v, i) => expect(relative(v, ref.swdLevels[i]), `swd level ${i}`).toBeLessThan(1e-3));
      expect(Math.abs(got.kid - ref.kid) / Math.max(1, Math.abs(ref.kid)), 'kid').toBeLessThan(1e-3);
      expect(relative(got.diversity, ref.diversity), 'diversity').toBeLessThan(1e-3);
    } finally {
      gen.model.dispose();
    }
  });
});
