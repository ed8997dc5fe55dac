/**
 * Live metrics in real runs: the held-out split (made once, kept on resume,
 * never trained on), metrics.jsonl, and SWD falling as a DCGAN learns real
 * Fashion-MNIST.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/engine/config/resolve';
import type { Dataset } from '../../../src/engine/dataset';
import { chooseHoldout, subsetData, trainingIndices, type HoldoutSplit } from '../../../src/engine/metrics/holdout';
import { readMetrics } from '../../../src/engine/metrics/live';
import { resumeRun, trainNewRun, type TrainEvent } from '../../../src/engine/train/run-training';
import { loadDemo28 } from '../../helpers/demo';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';

let demo: Dataset;
beforeAll(async () => {
  await onBackend('wasm');
  demo = await loadDemo28();
});

describe('held-out split', () => {
  it('holds out 10%, at most maxHoldout, the same for a seed, disjoint from training', () => {
    const a = chooseHoldout(3000, 0.1, 2000, 5);
    expect(a.tiny).toBe(false);
    expect(a.heldout).toHaveLength(300);
    expect(chooseHoldout(3000, 0.1, 2000, 5)).toEqual(a);
    expect(chooseHoldout(3000, 0.1, 2000, 6).heldout).not.toEqual(a.heldout);
    expect(chooseHoldout(60000, 0.1, 2000, 5).heldout).toHaveLength(2000);
    const train = trainingIndices(a);
    expect(train).toHaveLength(2700);
    const held = new Set(a.heldout);
    expect(train.some((i) => held.has(i))).toBe(false);
  });

  it('does not split a tiny data set, and says so', () => {
    const s = chooseHoldout(150, 0.1, 2000, 1);
    expect(s.tiny).toBe(true);
    expect(trainingIndices(s)).toHaveLength(150);
    expect(s.note).toMatch(/150 images.*compare samples with the training images/);
  });

  it('a subset maps batch indices and labels to the chosen images', () => {
    const data = { ...blobData(10, 4, 1), labels: Int32Array.from({ length: 10 }, (_, i) => i % 3) };
    const sub = subsetData(data, [7, 2]);
    expect(sub.count).toBe(2);
    expect(Array.from(sub.labels!)).toEqual([1, 2]);
    expect(Array.from(sub.batch([1]))).toEqual(Array.from(data.batch([2])));
  });
});

describe('metrics in a run', () => {
  const config = (steps: number, every = 0) =>
    parseConfig({
      name: 'metrics',
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 32, baseWidth: 16 },
      batchSize: 32,
      seed: 3,
      steps,
      sampleEvery: 0,
      checkpointEvery: 0,
      gridSize: 2,
      metrics: { every, samples: 128 },
    });

  it(
    'on real Fashion-MNIST, SWD after 160 steps is below SWD at step 0; the split is recorded and resume keeps it',
    { timeout: 900_000 },
    async () => {
      const out = await tempDir();
      const events: TrainEvent[] = [];
      const run = await trainNewRun(out, {
        config: config(80, 40),
        data: demo,
        datasetKey: 'k',
        backend: 'wasm',
        onEvent: (e) => events.push(e),
      });
      const split = JSON.parse(await readFile(path.join(run, 'heldout.json'), 'utf8')) as HoldoutSplit;
      expect(split).toMatchObject({ datasetCount: 3000, tiny: false });
      expect(split.heldout).toHaveLength(300);
      const first = await readMetrics(path.join(run, 'metrics.jsonl'));
      expect(first.map((m) => m.step)).toEqual([0, 40, 80].filter((s) => first.some((m) => m.step === s)));
      expect(first[0].step).toBe(0);
      expect(first[first.length - 1].step).toBe(80);
      expect(events.filter((e) => e.type === 'metrics')).toHaveLength(first.length);

      await resumeRun(run, { config: config(160, 0), data: demo, datasetKey: 'k', backend: 'wasm' });
      expect(JSON.parse(await readFile(path.join(run, 'heldout.json'), 'utf8'))).toEqual(split);
      const lines = await readMetrics(path.join(run, 'metrics.jsonl'));
      expect(lines.map((m) => m.step)).toEqual([...first.map((m) => m.step), 160]);
      const start = lines[0];
      const end = lines[lines.length - 1];
      for (const m of lines) {
        expect(m.heldout).toBe(true);
        expect(m.reals).toBe(300);
        expect(m.samples).toBe(128);
        expect(m.swdLevels).toHaveLength(3);
        expect(m.seconds).toBeGreaterThan(0);
        expect(Number.isFinite(m.kid)).toBe(true);
        // the copying score against the held-out images, before and after the resume
        expect(m.copying).toBeGreaterThanOrEqual(0);
        expect(m.copying).toBeLessThanOrEqual(1);
      }
      expect(end.swd).toBeLessThan(start.swd);
      expect(end.kid).toBeLessThan(start.kid);
      expect(end.diversity).toBeGreaterThan(start.diversity);
    },
  );

  it('a tiny data set trains on every image, says so, and its metrics are marked as against training images', async () => {
    const out = await tempDir();
    const events: TrainEvent[] = [];
    const data = blobData(12, 28, 1);
    const run = await trainNewRun(out, {
      config: config(2),
      data,
      datasetKey: 'k',
      backend: 'wasm',
      onEvent: (e) => events.push(e),
    });
    expect(events.some((e) => e.type === 'info' && /12 images/.test(e.message))).toBe(true);
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    const lines = await readMetrics(path.join(run, 'metrics.jsonl'));
    expect(lines.map((m) => m.step)).toEqual([0, 2]);
    expect(lines.every((m) => m.heldout === false && m.reals === 12)).toBe(true);
  });

  it('metrics.enabled=false: no split, no metrics file', async () => {
    const out = await tempDir();
    const run = await trainNewRun(out, {
      config: parseConfig({ ...config(1), metrics: { enabled: false } }),
      data: blobData(300, 28, 1),
      datasetKey: 'k',
      backend: 'wasm',
    });
    expect(await readMetrics(path.join(run, 'metrics.jsonl'))).toEqual([]);
    await expect(readFile(path.join(run, 'heldout.json'))).rejects.toThrow();
  });
});
