/**
 * Quality in the studio backend, end to end with real worker processes and
 * real run folders: live metrics events and metrics.jsonl through
 * `runs:stats`, and a new run fine-tuned from a checkpoint (`initFrom`).
 */
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStudio, tinyConfig, type TestStudio } from './helpers';

let s: TestStudio;

beforeAll(async () => {
  s = await makeStudio('browser');
});

afterAll(async () => {
  await s?.backend.dispose();
});

/** Metrics at the start and the end only, on a small held-out split: two cheap evaluations. */
const withMetrics = (over: Record<string, unknown> = {}) =>
  tinyConfig({
    steps: 4,
    sampleEvery: 0,
    checkpointEvery: 0,
    metrics: { enabled: true, every: 0, samples: 16, maxHoldout: 40 },
    ...over,
  });

describe('quality in the studio', () => {
  let runId: string;

  it('forwards each evaluation as a metrics event, and runs:stats reads metrics.jsonl back', async () => {
    const since = s.mark();
    const { jobId } = await s.call('training:start', { config: withMetrics({ name: 'quality' }) });
    const started = await s.trainingEvent('started', (e) => e.jobId === jobId, 60_000, since);
    runId = started.runId;
    const first = await s.trainingEvent('metrics', (e) => e.runId === runId, 120_000, since);
    expect(first.metrics.step).toBe(0);
    await s.trainingEvent('done', (e) => e.jobId === jobId, 120_000, since);
    const live = s.events
      .slice(since)
      .map((e) => e.payload as { type?: string; metrics?: { step: number } })
      .filter((p) => p.type === 'metrics')
      .map((p) => p.metrics!.step);
    expect(live).toEqual([0, 4]);

    const read = await s.call('runs:stats', { runId });
    expect(read.metrics!.map((m) => m.step)).toEqual([0, 4]);
    for (const m of read.metrics!) {
      expect(m.swd).toBeGreaterThan(0);
      expect(Number.isFinite(m.kid)).toBe(true);
      expect(m.diversity).toBeGreaterThan(0);
      expect(m.seconds).toBeGreaterThan(0);
      expect(m.heldout).toBe(true);
      expect(m.samples).toBe(16);
      // the run-level copying score, from the same engine function as gan-studio metrics/nearest
      expect(m.copying).toBeGreaterThanOrEqual(0);
      expect(m.copying).toBeLessThanOrEqual(1);
    }
    const tail = await s.call('runs:stats', { runId, fromStep: 0 });
    expect(tail.metrics!.map((m) => m.step)).toEqual([4]);
  });

  it('finds a sample’s nearest training images in features and pixels, never among the held-out images', async () => {
    const found = await s.call('generate:nearest', { checkpoint: { runId }, pin: { seed: 3 }, k: 2, scale: 1 });
    const split = JSON.parse(await readFile(path.join(s.runsRoot, runId, 'heldout.json'), 'utf8')) as {
      heldout: number[];
    };
    expect(found.searched).toBe(3000 - split.heldout.length);
    for (const list of [found.features, found.pixels]) {
      expect(list).toHaveLength(2);
      expect(list[0].distance).toBeLessThanOrEqual(list[1].distance);
      for (const nb of list) {
        expect(split.heldout).not.toContain(nb.index);
        expect(nb.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
      }
    }
    expect(found.sample.startsWith('data:image/png;base64,')).toBe(true);
    const again = await s.call('generate:nearest', { checkpoint: { runId }, pin: { seed: 3 }, k: 2, scale: 1 });
    expect(again.features.map((n) => n.index)).toEqual(found.features.map((n) => n.index)); // same seed, same sample
  });

  it('starts a new run from a checkpoint with the optimizer carried, and refuses a checkpoint that is not there', async () => {
    await expect(
      s.call('training:start', { config: tinyConfig({ steps: 2 }), initFrom: { runId, step: 3 } }),
    ).rejects.toThrow(/has no checkpoint at step 3/);
    await expect(
      s.call('training:start', { config: tinyConfig({ steps: 2 }), initFrom: { runId: '../x' } }),
    ).rejects.toThrow();

    const since = s.mark();
    const { jobId } = await s.call('training:start', {
      config: tinyConfig({ steps: 2, sampleEvery: 0, checkpointEvery: 0, name: 'tuned' }),
      initFrom: { runId, step: 4, optimizer: true },
    });
    const started = await s.trainingEvent('started', (e) => e.jobId === jobId, 60_000, since);
    await s.trainingEvent('done', (e) => e.jobId === jobId, 60_000, since);
    const origin = JSON.parse(await readFile(path.join(s.runsRoot, started.runId, 'origin.json'), 'utf8'));
    expect(origin).toMatchObject({
      initFrom: path.join(s.runsRoot, runId, 'checkpoints', 'step-000004'),
      step: 4,
      optimizer: 'carried',
    });
  });

  it('fine-tunes on a different data set: the new run trains on its own folder and records the source checkpoint', async () => {
    // 40 images of one class of the demo set, in a folder of their own
    const other = path.join(s.root, 'bags');
    await mkdir(other, { recursive: true });
    const bagDir = path.join('resources', 'demo', 'fashion-mnist', 'bag');
    for (const name of (await readdir(bagDir)).slice(0, 40))
      await copyFile(path.join(bagDir, name), path.join(other, name));
    await s.call('fs:choose-folder', { path: other, purpose: 'dataset' }); // as the folder browser grants it
    const since = s.mark();
    const { jobId } = await s.call('training:start', {
      config: tinyConfig({ steps: 2, sampleEvery: 0, checkpointEvery: 0, name: 'bags', data: { dir: other } }),
      initFrom: { runId, step: 4 },
    });
    const started = await s.trainingEvent('started', (e) => e.jobId === jobId, 120_000, since);
    const done = await s.trainingEvent('done', (e) => e.jobId === jobId, 120_000, since);
    expect(done.status).toBe('finished');
    const dir = path.join(s.runsRoot, started.runId);
    const origin = JSON.parse(await readFile(path.join(dir, 'origin.json'), 'utf8'));
    expect(origin).toMatchObject({ step: 4, optimizer: 'fresh' });
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as { data: { dir: string } };
    expect(config.data.dir).toBe(other);
    const report = JSON.parse(await readFile(path.join(dir, 'import-report.json'), 'utf8')) as { imported: number };
    expect(report.imported).toBe(40);
  });

  it('a checkpoint of another architecture fails the job with a line naming the difference', async () => {
    const since = s.mark();
    const { jobId } = await s.call('training:start', {
      config: tinyConfig({
        steps: 2,
        model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 16, baseWidth: 16 },
      }),
      initFrom: { runId },
    });
    const error = await s.trainingEvent('error', (e) => e.jobId === jobId, 60_000, since);
    expect(error.message).toMatch(/architectures differ: G weight 1/);
  });
});
