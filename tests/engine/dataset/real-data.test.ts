/** Real images: Tux Paint stamps (colour PNGs with alpha) and the bundled Fashion-MNIST demo set. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { demoDatasetDir, formatReport, importDataset, loadDemoDataset } from '../../../src/engine/dataset/index.js';
import { pixelAt, suiteTempDirs, testOptions } from './helpers.js';

const STAMPS = '/usr/share/tuxpaint/stamps';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEMO_CLASSES = [
  'ankle-boot',
  'bag',
  'coat',
  'dress',
  'pullover',
  'sandal',
  'shirt',
  'sneaker',
  't-shirt',
  'trouser',
];

let tmp: string;
let cache: string;
suiteTempDirs((t, c) => {
  tmp = t;
  cache = c;
});

describe('Tux Paint stamps', () => {
  it('imports 10 real colour stamps with alpha, composited onto white', async (ctx) => {
    if (!existsSync(STAMPS))
      ctx.skip(`${STAMPS} missing: install the Debian package tuxpaint-stamps-default to run this test`);
    const all = execFileSync('find', [STAMPS, '-name', '*.png'], { encoding: 'utf8' }).trim().split('\n').sort();
    const picked = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / 10)) === 0).slice(0, 10);
    expect(picked).toHaveLength(10);
    const dir = path.join(tmp, 'stamps');
    await fs.mkdir(dir);
    for (const [i, f] of picked.entries())
      await fs.copyFile(f, path.join(dir, `${String(i).padStart(2, '0')}-${path.basename(f)}`));

    const ds = await importDataset(
      dir,
      testOptions(cache, { resolution: 64, channels: 3, resize: 'pad', background: '#ffffff' }),
    );
    expect(ds.report.skipped).toEqual([]);
    expect(ds.count).toBe(10);
    expect(ds.pixels.length).toBe(10 * 64 * 64 * 3);
    expect(ds.report.sourceChannels.rgba + ds.report.sourceChannels.grayAlpha).toBeGreaterThan(0);
    expect(ds.report.formats).toEqual({ png: 10 });
    // Corners are padding or transparent: white after compositing.
    let whiteCorners = 0;
    for (let i = 0; i < 10; i++) if (pixelAt(ds.pixels, 64, 3, i, 0, 0).every((v) => v === 255)) whiteCorners++;
    expect(whiteCorners).toBeGreaterThanOrEqual(8);
    // And the stamps are not blank: plenty of non-white pixels.
    const nonWhite = ds.pixels.reduce((acc, v) => acc + (v < 250 ? 1 : 0), 0);
    expect(nonWhite).toBeGreaterThan(ds.pixels.length * 0.1);
    const b = ds.batch([0, 9]);
    expect(Math.min(...b)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...b)).toBe(1);
    console.log(formatReport(ds.report));
  });
});

describe('demo data set', () => {
  it('lives in resources/demo/fashion-mnist, found from any working directory', () => {
    expect(demoDatasetDir()).toBe(path.join(REPO, 'resources', 'demo', 'fashion-mnist'));
    // process.chdir only works outside worker threads (vitest's default pool here is forks).
    if (isMainThread) {
      const cwd = process.cwd();
      try {
        process.chdir(os.tmpdir());
        expect(demoDatasetDir()).toBe(path.join(REPO, 'resources', 'demo', 'fashion-mnist'));
      } finally {
        process.chdir(cwd);
      }
    }
    expect(existsSync(path.join(REPO, 'resources', 'demo', 'README.md'))).toBe(true);
  });

  it('has 10 class folders × 300 small PNGs', async () => {
    const dir = demoDatasetDir();
    expect((await fs.readdir(dir)).sort()).toEqual(DEMO_CLASSES);
    let bytes = 0;
    for (const c of DEMO_CLASSES) {
      const files = await fs.readdir(path.join(dir, c));
      expect(files).toHaveLength(300);
      for (const f of files) bytes += (await fs.stat(path.join(dir, c, f))).size;
    }
    expect(bytes).toBeLessThan(3e6);
  });

  it('imports as 3000 images, 10 classes, 28×28×1, then loads from the cache', async () => {
    const opts = testOptions(cache, { resolution: 28, channels: 1, resize: 'crop', background: '#000000' });
    const ds = await loadDemoDataset(opts);
    expect(ds.count).toBe(3000);
    expect(ds.classNames).toEqual(DEMO_CLASSES);
    expect(ds.report.classCounts).toEqual(new Array(10).fill(300));
    expect(ds.pixels.length).toBe(3000 * 28 * 28);
    expect(ds.report.skipped).toEqual([]);
    expect(ds.report.sourceChannels.gray).toBe(3000);
    expect(ds.report.sourceSizes).toEqual({ minWidth: 28, maxWidth: 28, minHeight: 28, maxHeight: 28 });
    for (let c = 0; c < 10; c++) expect(ds.labels.filter((l) => l === c).length).toBe(300);
    // Fashion-MNIST: light garments on a black background.
    expect(ds.pixels[0]).toBe(0);
    const mean = ds.pixels.reduce((a, v) => a + v, 0) / ds.pixels.length;
    expect(mean).toBeGreaterThan(50);
    expect(mean).toBeLessThan(110);

    const cached = await loadDemoDataset(opts);
    expect(cached.fromCache).toBe(true);
    expect(Buffer.from(cached.pixels).equals(Buffer.from(ds.pixels))).toBe(true);
    expect(Array.from(cached.labels)).toEqual(Array.from(ds.labels));
  });
});
