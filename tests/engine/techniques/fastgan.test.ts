/**
 * The fastgan architecture and recipe (Liu et al. 2021): the builders' shapes
 * and argument checks, skip-layer excitation, D's reconstruction targets and
 * quarter crop, the config's checks, real training steps (reconstruction
 * learns, no tensor leak), generation from a checkpoint, and the exported G
 * in Chromium drawing what Node draws. Exact resume is in ./resume.test.ts.
 */
import type * as tfType from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { exportForWeb } from '../../../src/engine/export-web';
import { generateImages, loadGenerator } from '../../../src/engine/generate';
import { customLayersIn, GanLayers, setCropQuarter } from '../../../src/engine/layers';
import { WEB_LAYERS_FILE } from '../../../src/engine/layers/web';
import { buildDiscriminator, buildGenerator, type ModelSpec } from '../../../src/engine/models';
import {
  checkFastganSpec,
  fastganReconstructionLoss,
  reconstructionTargets,
  slePairs,
} from '../../../src/engine/models/fastgan';
import { readStats } from '../../../src/engine/run/stats-log';
import { trainNewRun } from '../../../src/engine/train/run-training';
import { GanSession } from '../../../src/engine/train/session';
import { TrainConfigSchema } from '../../../src/shared/config';
import { hasChromium, launchChromium } from '../../helpers/chromium';
import { serveStatic, TFJS_BUNDLE, type StaticServer } from '../../helpers/static-server';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';
import { TINY_FASTGAN } from '../../helpers/tiny-run';

beforeAll(() => onBackend('wasm'));

const spec = (resolution: number, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  arch: 'fastgan',
  resolution,
  channels: 3,
  latentDim: 8,
  baseWidth: 4,
  ...extra,
});

/** A tiny fastgan run config: 64 px (the smallest fastgan resolution), narrow nets. */
const SMALL = [...TINY_FASTGAN, 'batchSize=4', 'checkpointEvery=0', 'seed=3'];

describe('fastgan builders', () => {
  it.each([64, 128, 256])('%i px: G gives [N,R,R,C]; D gives a score and two half-size reconstructions', (r) => {
    const g = buildGenerator(spec(r), 1);
    const d = buildDiscriminator(spec(r), 2);
    try {
      expect(g.inputs[0].shape).toEqual([null, 8]);
      expect(g.outputs[0].shape).toEqual([null, r, r, 3]);
      expect(d.inputs[0].shape).toEqual([null, r, r, 3]);
      expect(d.outputs.map((o) => o.shape)).toEqual([
        [null, 1],
        [null, r / 2, r / 2, 3],
        [null, r / 2, r / 2, 3],
      ]);
      // One channel-wise excitation per SLE pair, gating with a [1,1,c] map.
      const excites = g.layers.filter((l) => l.getClassName() === 'Multiply');
      expect(excites.length).toBe(slePairs(r).length);
      for (const l of excites) expect((l.input as tfType.SymbolicTensor[])[1].shape.slice(1, 3)).toEqual([1, 1]);
      expect(customLayersIn(g)).toEqual(['GanGLU']);
      expect(customLayersIn(d)).toEqual(expect.arrayContaining(['GanGLU', 'GanQuarterCrop']));
    } finally {
      g.dispose();
      d.dispose();
    }
  });

  it('joins side s to 8s from 32 px up', () => {
    expect(slePairs(64)).toEqual([
      [4, 32],
      [8, 64],
    ]);
    expect(slePairs(256)).toEqual([
      [4, 32],
      [8, 64],
      [16, 128],
      [32, 256],
    ]);
  });

  it('refuses what it cannot build, naming the option', () => {
    expect(() => checkFastganSpec(spec(32))).toThrow(/model\.resolution .* 64 to 256 .* got 32/);
    expect(() => checkFastganSpec(spec(96))).toThrow(/model\.resolution/);
    expect(() => checkFastganSpec(spec(512))).toThrow(/model\.resolution/);
    expect(() => checkFastganSpec(spec(64, { baseWidth: 2 }))).toThrow(/model\.baseWidth/);
    expect(() => checkFastganSpec(spec(64, { latentDim: 0 }))).toThrow(/model\.latentDim/);
    expect(() =>
      checkFastganSpec(
        spec(64, { conditional: { numClasses: 3, embedDim: 4, discriminator: 'projection', batchNorm: true } }),
      ),
    ).toThrow(/conditional\.enabled/);
  });

  it('is deterministic for a seed', () => {
    const a = buildGenerator(spec(64), 5);
    const b = buildGenerator(spec(64), 5);
    const c = buildGenerator(spec(64), 6);
    const w = (m: tf.LayersModel) => m.weights.map((v) => Array.from(v.read().dataSync()));
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('SLE gates the high-resolution map: each value scaled by a factor in (0, 1) from the low-resolution map', () => {
    const g = buildGenerator(spec(64), 1);
    const z = tf.randomNormal([2, 8], 0, 1, 'float32', 1);
    try {
      const mul = g.layers.find((l) => l.getClassName() === 'Multiply')!;
      const [high] = mul.input as tfType.SymbolicTensor[];
      const probe = tf.model({ inputs: g.inputs, outputs: [high, mul.output as tfType.SymbolicTensor] });
      const [h0, m0] = (probe.predict(z) as tf.Tensor[]).map((t) => t.dataSync());
      let differs = false;
      for (let i = 0; i < h0.length; i++) {
        expect(Math.abs(m0[i])).toBeLessThanOrEqual(Math.abs(h0[i]) + 1e-6);
        expect(m0[i] * h0[i]).toBeGreaterThanOrEqual(0);
        if (Math.abs(h0[i]) > 1e-8 && Math.abs(m0[i] / h0[i] - 1) > 0.01) differs = true;
      }
      expect(differs).toBe(true);
    } finally {
      z.dispose();
      g.dispose();
    }
  });
});

describe('fastgan reconstruction', () => {
  it('targets: the whole image by 2×2 means, and each quarter at full size; the crop layer takes the same quarter', () => {
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    const rows = (t: tf.Tensor) => Array.from(t.dataSync());
    const { whole, part } = reconstructionTargets(x, 0);
    expect(rows(whole)).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect(rows(part)).toEqual([0, 1, 4, 5]);
    const crop = new GanLayers.GanQuarterCrop({});
    const expected = [
      [0, 1, 4, 5],
      [2, 3, 6, 7],
      [8, 9, 12, 13],
      [10, 11, 14, 15],
    ];
    for (let q = 0; q < 4; q++) {
      expect(rows(reconstructionTargets(x, q).part)).toEqual(expected[q]);
      crop.quarter = q;
      expect(rows(crop.apply(x) as tf.Tensor)).toEqual(expected[q]);
    }
    const perfect = fastganReconstructionLoss(
      [x, reconstructionTargets(x, 2).whole, reconstructionTargets(x, 2).part],
      x,
      2,
    );
    expect(perfect.dataSync()[0]).toBe(0);
    const wrongQuarter = fastganReconstructionLoss(
      [x, reconstructionTargets(x, 2).whole, reconstructionTargets(x, 1).part],
      x,
      2,
    );
    expect(wrongQuarter.dataSync()[0]).toBeGreaterThan(1);
  });

  it('setCropQuarter reaches the layer inside D and checks its argument', () => {
    const d = buildDiscriminator(spec(64), 2);
    try {
      expect(setCropQuarter(d, 3)).toBe(true);
      const crop = d.layers.find((l) => l.getClassName() === 'GanQuarterCrop') as InstanceType<
        typeof GanLayers.GanQuarterCrop
      >;
      expect(crop.quarter).toBe(3);
      expect(() => setCropQuarter(d, 4)).toThrow(/quarter/);
    } finally {
      d.dispose();
    }
  });
});

describe('fastgan config', () => {
  it('the preset resolves to the recipe', async () => {
    const c = await resolveConfig({ preset: 'fastgan' });
    expect(c.model.arch).toBe('fastgan');
    expect(c.loss).toBe('hinge');
    expect(c.ema.enabled).toBe(true);
    expect([c.augment.color, c.augment.translation, c.augment.cutout]).toEqual([true, true, true]);
  });

  it('refuses resolutions outside 64–256, penalties and conditional runs, naming the option', () => {
    const issues = (input: object) => {
      const r = TrainConfigSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues({ model: { arch: 'fastgan', resolution: 32 } })).toEqual([
      expect.stringMatching(/^model\.resolution: arch fastgan needs a power of two from 64 to 256, got 32/),
    ]);
    expect(issues({ model: { arch: 'fastgan', resolution: 128 } })).toEqual([]);
    expect(issues({ model: { arch: 'fastgan' }, penalty: { type: 'r1' } })).toEqual([
      expect.stringMatching(/^penalty\.type: model\.arch=fastgan has batch norm in D/),
    ]);
    expect(issues({ model: { arch: 'fastgan' }, loss: 'wgan-gp' })).toEqual([
      expect.stringMatching(/^penalty\.type: .*via loss=wgan-gp/),
    ]);
    expect(issues({ model: { arch: 'fastgan' }, conditional: { enabled: true } })).toEqual([
      expect.stringMatching(/^conditional\.enabled: model\.arch=fastgan is unconditional/),
    ]);
  });
});

describe('fastgan training', () => {
  it('D learns to reconstruct the reals, G gets gradients, and steps leak no tensors', async () => {
    const config = await resolveConfig({
      sets: [...SMALL, 'd.lr=0.002', 'augment.translation=false', 'augment.cutout=false', 'steps=14'],
    });
    const data = blobData(4, 64, 3);
    const session = GanSession.create(config, data.count);
    try {
      const recon: number[] = [];
      let tensors = 0;
      for (let i = 0; i < 14; i++) {
        const s = await session.trainStep(data);
        expect(Number.isFinite(s.lossD) && Number.isFinite(s.lossG) && s.gradNormG > 0).toBe(true);
        recon.push(s.lossRecon!);
        if (i === 1) tensors = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
      expect(mean(recon.slice(-3))).toBeLessThan(0.8 * mean(recon.slice(0, 3)));
    } finally {
      session.dispose();
    }
  });

  it('a run checkpoints, and its G generates and exports; only G is exported', async () => {
    const config = await resolveConfig({ sets: [...SMALL, 'steps=2', 'augment.color=true'] });
    const data = blobData(6, 64, 3);
    const root = await tempDir();
    const run = await trainNewRun(path.join(root, 'run'), { config, data, datasetKey: null, backend: 'wasm' });
    const stats = await readStats(path.join(run, 'stats.jsonl'));
    expect(stats.map((s) => s.step)).toEqual([1, 2]);
    expect(stats.every((s) => Number.isFinite(s.lossRecon))).toBe(true);
    const gen = await loadGenerator(run);
    try {
      const z = Float32Array.from({ length: 2 * 8 }, (_, i) => Math.cos(i));
      const before = tf.memory().numTensors;
      const batch = await generateImages(gen, z);
      expect(tf.memory().numTensors).toBe(before);
      expect([batch.count, batch.width, batch.height]).toEqual([2, 64, 64]);
      const info = await exportForWeb(gen, path.join(root, 'web'));
      expect(JSON.stringify(info)).not.toContain('GanQuarterCrop');
      expect(customLayersIn(gen.model)).toEqual(['GanGLU']);
    } finally {
      gen.model.dispose();
    }
  });
});

describe('fastgan web export', () => {
  let server: StaticServer | undefined;
  afterAll(() => server?.close());

  it.skipIf(!hasChromium)('the exported G loads in Chromium with gan-layers.js and draws what Node draws', async () => {
    const config = await resolveConfig({ sets: [...SMALL, 'steps=1'] });
    const root = await tempDir();
    const run = await trainNewRun(path.join(root, 'run'), {
      config,
      data: blobData(6, 64, 3),
      datasetKey: null,
      backend: 'wasm',
    });
    const gen = await loadGenerator(run);
    const dir = path.join(root, 'web');
    await exportForWeb(gen, dir);
    const z = Array.from({ length: 2 * 8 }, (_, i) => Math.sin(i * 1.3));
    const node = tf.tidy(() => Array.from((gen.model.predict(tf.tensor2d(z, [2, 8])) as tf.Tensor).dataSync()));
    gen.model.dispose();
    server = await serveStatic({
      '/': { text: '<!doctype html><script src="/tf.min.js"></script>' },
      '/tf.min.js': { file: TFJS_BUNDLE },
      '/g/': { dir },
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.addScriptTag({ url: `/g/${WEB_LAYERS_FILE}` });
      const result = await page.evaluate(async (zs) => {
        const tfb = (globalThis as unknown as { tf: typeof tfType }).tf;
        const model = await tfb.loadLayersModel('/g/model.json');
        const out = model.predict(tfb.tensor2d(zs, [2, 8])) as tfType.Tensor;
        return { shape: out.shape, values: Array.from(await out.data()) };
      }, z);
      expect(result.shape).toEqual([2, 64, 64, 3]);
      const maxDiff = result.values.reduce((m, v, i) => Math.max(m, Math.abs(v - node[i])), 0);
      expect(maxDiff).toBeLessThan(1e-3);
    } finally {
      await browser.close();
    }
  });
});
