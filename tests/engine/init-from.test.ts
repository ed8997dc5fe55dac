/** Fine-tuning from another run: weights copied when the architectures match, a refusal naming the difference otherwise. */
import * as tf from '@tensorflow/tfjs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import {
  architectureDifference,
  disposeSource,
  initSessionFrom,
  loadInitSource,
} from '../../src/engine/train/init-from';
import { trainNewRun } from '../../src/engine/train/run-training';
import { GanSession } from '../../src/engine/train/session';
import { blobData, onBackend, sameWeights, snapshot } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

const config = (seed: number, baseWidth = 4, optimizer: 'adam' | 'rmsprop' = 'adam') =>
  parseConfig({
    g: { optimizer },
    model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth },
    batchSize: 4,
    seed,
    steps: 2,
    sampleEvery: 0,
    checkpointEvery: 0,
    gridSize: 2,
    augment: { translation: true, ada: true, probability: 0 },
    metrics: { enabled: false },
  });
const data = blobData(6, 16, 3);

describe('init from', () => {
  it('copies G, D and G-EMA from a session of the same architecture', () => {
    const a = GanSession.create(config(1), 6);
    const b = GanSession.create(config(2), 6);
    try {
      expect(sameWeights(snapshot(a.g), snapshot(b.g))).toBe(false);
      initSessionFrom(b, { dir: 'a', step: 0, g: a.g, d: a.d, gEma: a.gEma });
      expect(sameWeights(snapshot(a.g), snapshot(b.g))).toBe(true);
      expect(sameWeights(snapshot(a.d), snapshot(b.d))).toBe(true);
      expect(sameWeights(snapshot(a.gEma!), snapshot(b.gEma!))).toBe(true);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('refuses another architecture, naming the first weight that differs', () => {
    const a = GanSession.create(config(1, 4), 6);
    const c = GanSession.create(config(1, 8), 6);
    try {
      expect(architectureDifference(c.g, a.g, 'G')).toMatch(
        /^G weight 1 \(.+\) is .+ in the new run but .+ in the checkpoint/,
      );
      expect(() => initSessionFrom(c, { dir: 'run-a', step: 3, g: a.g, d: a.d, gEma: a.gEma })).toThrow(
        /Cannot initialise from run-a: the architectures differ: G weight 1/,
      );
    } finally {
      a.dispose();
      c.dispose();
    }
  });

  it('a run started --init-from another records its origin, starts at step 0 with the ADA probability restarted; a mismatch leaves no run folder', async () => {
    const out = await tempDir();
    const first = await trainNewRun(out, { config: config(1), data, datasetKey: 'k', backend: 'wasm' });
    const second = await trainNewRun(out, {
      config: config(5),
      data,
      datasetKey: 'k',
      backend: 'wasm',
      initFrom: first,
    });
    const origin = JSON.parse(await readFile(path.join(second, 'origin.json'), 'utf8'));
    expect(origin).toMatchObject({
      initFrom: path.join(first, 'checkpoints', 'step-000002'),
      step: 2,
      adaProbability: 'restarted',
    });
    const state = JSON.parse(await readFile(path.join(second, 'checkpoints', 'step-000002', 'state.json'), 'utf8'));
    expect(state.step).toBe(2);
    const before = await readdir(out);
    await expect(
      trainNewRun(out, { config: config(5, 8), data, datasetKey: 'k', backend: 'wasm', initFrom: first }),
    ).rejects.toThrow(/architectures differ/);
    expect(await readdir(out)).toEqual(before);
  });

  it('carries the optimizer moments and step counts only when asked, and the ADA probability only when asked', async () => {
    const a = GanSession.create(config(1), 6);
    const b = GanSession.create(config(2), 6);
    const c = GanSession.create(config(3), 6);
    try {
      await a.trainStep(data);
      await a.trainStep(data);
      const stateOf = (s: GanSession, which: 'optG' | 'optD') => {
        const { step, tensors } = s[which].getState();
        return {
          step,
          values: Object.keys(tensors)
            .sort()
            .map((k) => Array.from(tensors[k].dataSync())),
        };
      };
      const source = {
        dir: 'a',
        step: a.step,
        g: a.g,
        d: a.d,
        gEma: a.gEma,
        optimizer: { g: a.optG.getState(), d: a.optD.getState() },
        augmentP: 0.37,
      };
      initSessionFrom(b, source, { optimizer: true, ada: true });
      expect(stateOf(b, 'optG')).toEqual(stateOf(a, 'optG'));
      expect(stateOf(b, 'optD')).toEqual(stateOf(a, 'optD'));
      expect(stateOf(b, 'optG').step).toBe(2);
      expect(b.augmentP).toBe(0.37);
      initSessionFrom(c, source);
      expect(stateOf(c, 'optG').step).toBe(0);
      expect(stateOf(c, 'optG').values.every((v) => v.every((x) => x === 0))).toBe(true);
      expect(c.augmentP).toBe(0); // the config's augment.probability: restarted
    } finally {
      a.dispose();
      b.dispose();
      c.dispose();
    }
  });

  it('a run started with the optimizer carried continues its step counts; another optimizer kind is refused and leaves no run folder', async () => {
    const out = await tempDir();
    const first = await trainNewRun(out, { config: config(1), data, datasetKey: 'k', backend: 'wasm' });
    const firstState = JSON.parse(await readFile(path.join(first, 'checkpoints', 'step-000002', 'state.json'), 'utf8'));
    const before = tf.memory().numTensors;
    const loaded = await loadInitSource(first, { optimizer: true });
    expect(loaded.optimizer!.g.step).toBe(2);
    disposeSource(loaded);
    expect(tf.memory().numTensors).toBe(before);

    const carried = await trainNewRun(out, {
      config: config(5),
      data,
      datasetKey: 'k',
      backend: 'wasm',
      initFrom: first,
      initOptions: { optimizer: true, ada: true },
    });
    const fresh = await trainNewRun(out, {
      config: config(5),
      data,
      datasetKey: 'k',
      backend: 'wasm',
      initFrom: first,
    });
    const optSteps = async (run: string) => {
      const o = JSON.parse(await readFile(path.join(run, 'checkpoints', 'step-000002', 'optimizer.json'), 'utf8'));
      return [o.g.step, o.d.step];
    };
    expect(await optSteps(carried)).toEqual([4, 4]);
    expect(await optSteps(fresh)).toEqual([2, 2]);
    expect(JSON.parse(await readFile(path.join(carried, 'origin.json'), 'utf8'))).toMatchObject({
      optimizer: 'carried',
      adaProbability: 'kept',
      augmentP: firstState.augmentP,
    });
    expect(JSON.parse(await readFile(path.join(fresh, 'origin.json'), 'utf8'))).toMatchObject({
      optimizer: 'fresh',
      adaProbability: 'restarted',
    });

    const runs = await readdir(out);
    await expect(
      trainNewRun(out, {
        config: config(5, 4, 'rmsprop'),
        data,
        datasetKey: 'k',
        backend: 'wasm',
        initFrom: first,
        initOptions: { optimizer: true },
      }),
    ).rejects.toThrow(
      /Cannot carry the optimizer state from .+: G's optimizer does not match this run's .+g\.optimizer/,
    );
    expect(await readdir(out)).toEqual(runs);
  });
});
