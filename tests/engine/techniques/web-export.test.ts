/**
 * Generators with custom layers in a real browser: the export's model.json plus
 * gan-layers.js (webLayersSource) load with tf.loadLayersModel in Chromium and
 * draw what Node draws. Covers spectral norm, pixel/instance/layer norm, pixel
 * shuffle, conditional batch norm with a two-input [z, one-hot] G, and dropout noise.
 */
import type * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tfn from '@tensorflow/tfjs';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { exportForWeb } from '../../../src/engine/export-web';
import { loadGenerator } from '../../../src/engine/generate';
import { customLayersIn, setNoiseSeed } from '../../../src/engine/layers';
import { WEB_LAYERS_FILE, webExportFiles } from '../../../src/engine/layers/web';
import { trainNewRun } from '../../../src/engine/train/run-training';
import { hasChromium, launchChromium } from '../../helpers/chromium';
import { serveStatic, TFJS_BUNDLE, type StaticServer } from '../../helpers/static-server';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';
import { TINY_RGB16 } from '../../helpers/tiny-run';

const VARIANTS: Record<string, string[]> = {
  sn: ['g.spectralNorm=true', 'g.norm=pixel', 'g.upsample=pixelshuffle'],
  norms: ['g.norm=instance', 'g.upsample=bilinear', 'ema.enabled=false'],
  layer: ['g.norm=layer', 'g.activation=leakyrelu', 'g.tanhOutput=false'],
  cond: ['conditional.enabled=true', 'g.upsample=nearest'],
  dropout: ['g.dropout=0.5'],
};

interface Exported {
  dir: string;
  z: number[];
  labels: number[] | null;
  node: number[];
  layers: string[];
}
const exported: Record<string, Exported> = {};
let server: StaticServer;
let baseUrl: string;

beforeAll(async () => {
  await onBackend('wasm');
  const root = await tempDir();
  for (const [name, sets] of Object.entries(VARIANTS)) {
    const config = await resolveConfig({
      sets: [...TINY_RGB16, 'batchSize=4', 'steps=2', ...sets],
    });
    const data = { ...blobData(6, 16, 3), labels: Int32Array.from([0, 1, 2, 0, 1, 2]), classNames: ['a', 'b', 'c'] };
    const run = await trainNewRun(path.join(root, name), { config, data, datasetKey: null, backend: 'wasm' });
    const gen = await loadGenerator(run); // a fresh load from the checkpoint, then the real web export
    const model = gen.model;
    const dir = path.join(root, `${name}-web`);
    await exportForWeb(gen, dir);
    const layers = customLayersIn(model);
    const z = Array.from({ length: 3 * 8 }, (_, i) => Math.sin(i * 1.3));
    const labels = config.conditional.enabled ? [1, 0, 0, 0, 0, 1, 0, 1, 0] : null;
    setNoiseSeed(model, null);
    const node = tfn.tidy(() => {
      const zt = tfn.tensor2d(z, [3, 8]);
      const out = model.predict(labels ? [zt, tfn.tensor2d(labels, [3, 3])] : zt) as tfn.Tensor;
      return Array.from(out.dataSync());
    });
    exported[name] = { dir, z, labels, node, layers };
    model.dispose();
  }

  server = await serveStatic({
    '/': { text: '<!doctype html><script src="/tf.min.js"></script>' },
    '/tf.min.js': { file: TFJS_BUNDLE },
    ...Object.fromEntries(Object.entries(exported).map(([name, e]) => [`/${name}/`, { dir: e.dir }])),
  });
  baseUrl = server.url;
});

afterAll(() => server?.close());

describe('custom layers in the export', () => {
  it('stock-layer generators need no extra file; the others ship gan-layers.js', () => {
    expect(exported.sn.layers).toEqual(expect.arrayContaining(['GanSpectralNorm', 'GanPixelNorm', 'GanDepthToSpace']));
    expect(exported.norms.layers).toEqual(['GanInstanceNorm']);
    expect(exported.cond.layers).toEqual(['GanConditionalBatchNorm']);
    expect(webExportFiles([])).toEqual({});
    expect(Object.keys(webExportFiles(['GanPixelNorm']))).toEqual([WEB_LAYERS_FILE]);
  });
});

describe.skipIf(!hasChromium)('exported generators with custom layers in Chromium', () => {
  it('load with tf.loadLayersModel after gan-layers.js and draw the same images as Node', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(baseUrl);
      await page.addScriptTag({ url: `/sn/${WEB_LAYERS_FILE}` });
      for (const [name, e] of Object.entries(exported)) {
        const result = await page.evaluate(
          async ({ name, z, labels }) => {
            const tfb = (globalThis as unknown as { tf: typeof tf }).tf;
            const model = await tfb.loadLayersModel(`/${name}/model.json`);
            const zt = tfb.tensor2d(z, [3, 8]);
            const out = model.predict(labels ? [zt, tfb.tensor2d(labels, [3, 3])] : zt) as tf.Tensor;
            return { shape: out.shape, values: Array.from(await out.data()) };
          },
          { name, z: e.z, labels: e.labels },
        );
        expect(result.shape, name).toEqual([3, 16, 16, 3]);
        if (name === 'dropout') {
          // Dropout noise stays on in the browser: same shape, values differ from Node's draw, zeros where units dropped.
          expect(result.values.every(Number.isFinite)).toBe(true);
          continue;
        }
        const maxDiff = result.values.reduce((m, v, i) => Math.max(m, Math.abs(v - e.node[i])), 0);
        expect(maxDiff, name).toBeLessThan(1e-3);
      }
    } finally {
      await browser.close();
    }
  });
});
