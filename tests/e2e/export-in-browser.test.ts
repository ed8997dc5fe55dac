/**
 * A web developer's path: export a trained generator and load it in a real
 * browser with the TensorFlow.js bundle, as the README shows. The browser's
 * images must match what Node makes from the same latent vectors.
 */
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { exportForWeb } from '../../src/engine/export-web';
import { generateImages, latents, loadGenerator } from '../../src/engine/generate';
import { trainNewRun } from '../../src/engine/train/run-training';
import { hasChromium, launchChromium } from '../helpers/chromium';
import { serveStatic, TFJS_BUNDLE, type StaticServer } from '../helpers/static-server';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

let server: StaticServer;
let baseUrl: string;
let exportDir: string;
let nodeImages: Uint8Array;
let z: Float32Array;

beforeAll(async () => {
  await onBackend('wasm');
  const config = parseConfig({
    model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
    batchSize: 4,
    gridSize: 2,
    steps: 3,
    sampleEvery: 0,
    checkpointEvery: 0,
  });
  const run = await trainNewRun(await tempDir(), {
    config,
    data: blobData(8, 16, 3),
    datasetKey: null,
    backend: 'wasm',
  });
  const gen = await loadGenerator(run);
  exportDir = await tempDir();
  await exportForWeb(gen, exportDir);
  z = latents(5, 3, gen.latentDim);
  nodeImages = (await generateImages(gen, z)).bytes;
  gen.model.dispose();

  // A static server on loopback for the page, the tfjs bundle and the export.
  server = await serveStatic({
    '/': { text: '<!doctype html><script src="/tf.min.js"></script>' },
    '/tf.min.js': { file: TFJS_BUNDLE },
    '/m/': { dir: exportDir },
  });
  baseUrl = server.url;
});

afterAll(() => server?.close());

describe.skipIf(!hasChromium)('exported generator in Chromium', () => {
  it('loads with tf.loadLayersModel and draws the same images as Node', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(baseUrl);
      const result = await page.evaluate(async (zValues: number[]) => {
        const tfb = (globalThis as unknown as { tf: typeof tf }).tf;
        const info = (await (await fetch('/m/generator.json')).json()) as { latentDim: number };
        const model = await tfb.loadLayersModel('/m/model.json');
        const out = model.predict(
          tfb.tensor2d(zValues, [zValues.length / info.latentDim, info.latentDim]),
        ) as tf.Tensor;
        return { shape: out.shape, values: Array.from(await out.data()), info, backend: tfb.getBackend() };
      }, Array.from(z));
      expect(result.info).toMatchObject({
        format: 'gan-studio-generator',
        latentDim: 8,
        resolution: 16,
        channels: 3,
        outputRange: [-1, 1],
        ema: true,
      });
      expect(result.shape).toEqual([3, 16, 16, 3]);
      const bytes = result.values.map((v) => Math.min(255, Math.max(0, Math.round((v + 1) * 127.5))));
      const maxDiff = bytes.reduce((m, b, i) => Math.max(m, Math.abs(b - nodeImages[i])), 0);
      expect(maxDiff).toBeLessThanOrEqual(1); // different backends, same pictures (rounding may differ by one level)
    } finally {
      await browser.close();
    }
  });
});
