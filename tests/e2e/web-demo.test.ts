/**
 * The demo page every web export carries, in Debian's Chromium: plain,
 * conditional (with dropout noise) and custom-layer (spectral norm, pixel
 * shuffle) generators draw non-blank images and request nothing off the
 * loopback host; seed s on the page is `gan-studio generate --seed s`
 * within one grey level; pins from a latents file load; the interpolation's
 * ends are its seeds; uint8 and float16 exports stay within the tolerance
 * their generator.json states.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportForWeb, type GeneratorInfo } from '../../src/engine/export-web';
import { generateSeeds, latentsFileFor, loadGenerator } from '../../src/engine/generate';
import { hasChromium, launchChromium } from '../helpers/chromium';
import { expectSuccess, runCli } from '../helpers/cli';
import { serveStatic, type StaticServer } from '../helpers/static-server';
import { tempDir } from '../helpers/temp';
import { onBackend } from '../helpers/tf';
import { trainTinyRun } from '../helpers/tiny-run';

const BASE = ['steps=2', 'ema.enabled=false'];
const MODELS: Record<string, string[]> = {
  plain: ['g.lr=0.02', 'steps=6'], // stock tfjs layers only; a big learning rate so that 6 steps give visible images
  conditional: ['conditional.enabled=true', 'conditional.batchNorm=false', 'g.dropout=0.3', 'g.norm=pixel'],
  custom: ['g.spectralNorm=true', 'g.upsample=pixelshuffle', 'g.norm=pixel'],
};
const SIZE = 16 * 16;

let server: StaticServer;
const runs: Record<string, string> = {};
const infos: Record<string, GeneratorInfo> = {};
/** RGB bytes of seeds 42..49 as Node draws them (the seed rule, classes k mod K). */
const nodePixels: Record<string, Uint8Array[]> = {};
let latentsJson = '';

beforeAll(async () => {
  await onBackend('wasm');
  const root = await tempDir();
  const routes: Record<string, { dir: string }> = {};
  for (const [name, sets] of Object.entries(MODELS)) {
    runs[name] = await trainTinyRun(path.join(root, name), [...BASE, ...sets]);
    const gen = await loadGenerator(runs[name]);
    const exports = name === 'plain' ? { plain: null, q8: 'uint8', q16: 'float16' } : { [name]: null };
    for (const [dirName, quantize] of Object.entries(exports)) {
      const dir = path.join(root, `${dirName}-web`);
      infos[dirName] = await exportForWeb(gen, dir, { quantize: quantize as 'uint8' | 'float16' | null });
      routes[`/${dirName}/`] = { dir };
    }
    const images = await generateSeeds(gen, [42, 43, 44, 45, 46, 47, 48, 49]);
    nodePixels[name] = Array.from({ length: 8 }, (_, k) => images.bytes.subarray(k * SIZE * 3, (k + 1) * SIZE * 3));
    if (name === 'conditional') {
      latentsJson = JSON.stringify(
        latentsFileFor(
          gen,
          [
            { seed: 44, class: 2 },
            { seed: 47, class: 2 },
          ],
          1,
          null,
        ),
      );
    }
    gen.model.dispose();
  }
  server = await serveStatic(routes);
}, 240_000);

afterAll(() => server?.close());

/** Open a demo page and wait for its first drawing; every request the page makes is returned. */
async function openDemo(page: Page, name: string): Promise<string[]> {
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(`${server.url}/${name}/`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error, undefined, {
    timeout: 60_000,
  });
  expect(await page.evaluate(() => document.body.dataset.error ?? null)).toBeNull();
  return requested;
}

/** RGB bytes of a canvas on the page. */
async function canvasPixels(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    return Array.from(d).filter((_, i) => i % 4 !== 3);
  }, selector);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('every web export', () => {
  it('carries the demo page, the tfjs bundle and the sampler; gan-layers.js only with custom layers', async () => {
    const plain = (await readdir(path.join(path.dirname(runs.plain), '..', 'plain-web'))).sort();
    expect(plain).toEqual([
      'demo.js',
      'gan-sampler.js',
      'generator.json',
      'index.html',
      'model.json',
      'tf.min.js',
      'weights.bin',
    ]);
    expect(infos.custom.layersScript).toBe('gan-layers.js');
    expect(infos.plain).toMatchObject({ samplerScript: 'gan-sampler.js', demo: 'index.html', quantization: null });
  });

  it('quantizes to uint8 and float16 with TF.js manifest entries, and states size and pixel difference', async () => {
    expect(infos.q8.weightBytes).toBeLessThan(infos.plain.weightBytes / 3.5);
    expect(infos.q16.weightBytes).toBeLessThan(infos.plain.weightBytes / 1.9);
    expect(infos.q8.quantization).toMatchObject({
      dtype: 'uint8',
      floatWeightBytes: infos.plain.weightBytes,
      seeds: [0, 1, 2, 3, 4, 5, 6, 7],
    });
    expect(infos.q16.quantization!.maxPixelDiff).toBeLessThanOrEqual(infos.q8.quantization!.maxPixelDiff);
    expect(infos.q8.quantization!.maxPixelDiff).toBeLessThan(64);
    const dir = server.url; // the manifest is what tf.loadLayersModel dequantizes
    expect(dir).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});

describe.skipIf(!hasChromium)('the demo page in Chromium', () => {
  it.each(Object.keys(MODELS))(
    '%s: draws non-blank images, seed s = the engine’s seed s, nothing off loopback',
    async (name) => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const requested = await openDemo(page, name);
        const seeds = await page.evaluate(() =>
          Array.from(document.querySelectorAll('#grid canvas')).map((c) =>
            Number((c as HTMLCanvasElement).dataset.seed),
          ),
        );
        expect(seeds).toEqual([42, 43, 44, 45, 46, 47, 48, 49]);
        for (let k = 0; k < 8; k++) {
          const px = await canvasPixels(page, `#grid canvas[data-seed="${42 + k}"]`);
          expect(new Set(px).size, `seed ${42 + k} is not blank`).toBeGreaterThan(10);
          expect(maxDiff(px, nodePixels[name][k]), `seed ${42 + k}`).toBeLessThanOrEqual(1);
        }
        // The interpolation's ends are its seeds' images.
        const tile42 = await canvasPixels(page, '#grid canvas[data-seed="42"]');
        expect(maxDiff(await canvasPixels(page, '#lerp'), tile42)).toBe(0);
        await page.fill('#t', '1');
        await page.dispatchEvent('#t', 'input');
        await page.waitForFunction(() => true);
        await page.waitForTimeout(300);
        const tile43 = await canvasPixels(page, '#grid canvas[data-seed="43"]');
        if (name !== 'conditional') expect(maxDiff(await canvasPixels(page, '#lerp'), tile43)).toBe(0); // conditional: seed 43 there has class 1 (position 1)
        if (name === 'conditional') expect(await page.locator('#class option').count()).toBe(4);
        expect(requested.length).toBeGreaterThan(3);
        for (const url of requested) expect(url.startsWith(`${server.url}/`), url).toBe(true);
      } finally {
        await browser.close();
      }
    },
  );

  it('seed 42 on the page is `gan-studio generate --seed 42`, and pins from a latents file load', async () => {
    const out = await tempDir();
    expectSuccess(
      await runCli([
        'generate',
        '--checkpoint',
        runs.conditional,
        '--count',
        '4',
        '--seed',
        '42',
        '--out',
        out,
        '--backend',
        'wasm',
      ]),
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await openDemo(page, 'conditional');
      for (let k = 0; k < 4; k++) {
        const png = await sharp(await readFile(path.join(out, `seed42-000${k}.png`)))
          .removeAlpha()
          .raw()
          .toBuffer();
        expect(
          maxDiff(await canvasPixels(page, `#grid canvas[data-seed="${42 + k}"]`), png),
          `seed ${42 + k}`,
        ).toBeLessThanOrEqual(1);
      }
      await page.evaluate(() => (document.body.dataset.ready = 'false'));
      await page.setInputFiles('#latents', {
        name: 'latents.json',
        mimeType: 'application/json',
        buffer: Buffer.from(latentsJson),
      });
      await page.waitForFunction(
        () => document.body.dataset.ready === 'true' && document.querySelectorAll('#grid canvas').length === 2,
      );
      // Pin (seed 44, class 2) is image 2 of seed 42 (class 2 mod 3 = 2).
      expect(
        maxDiff(await canvasPixels(page, '#grid canvas[data-seed="44"]'), nodePixels.conditional[2]),
      ).toBeLessThanOrEqual(1);
    } finally {
      await browser.close();
    }
  });

  it('uint8 and float16 exports load and stay within the difference their generator.json states', async () => {
    const browser = await launchChromium();
    try {
      for (const name of ['q8', 'q16']) {
        const page = await browser.newPage();
        await openDemo(page, name);
        const stated = infos[name].quantization!.maxPixelDiff;
        let worst = 0;
        for (let k = 0; k < 8; k++)
          worst = Math.max(
            worst,
            maxDiff(await canvasPixels(page, `#grid canvas[data-seed="${42 + k}"]`), nodePixels.plain[k]),
          );
        expect(worst, name).toBeLessThanOrEqual(Math.max(stated, 1) + 1); // the stated seeds are 0–7; these are 42–49, on another backend
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
