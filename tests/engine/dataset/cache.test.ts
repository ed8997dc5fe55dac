/** Disk cache: hits, misses on any change, corrupt files rebuilt, atomic writes, default location. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultCacheDir,
  importDataset,
  type ImportOptions,
  type ImportProgress,
} from '../../../src/engine/dataset/index.js';
import { makeTempDir, removeDir, solidRgb, testOptions, writeFile } from './helpers.js';

let tmp: string;
let dir: string;
let cache: string;
let n = 0;

beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await removeDir(tmp);
});

// Every test gets a fresh data folder and cache folder.
beforeEach(async () => {
  n++;
  dir = path.join(tmp, `data-${n}`);
  cache = path.join(tmp, `cache-${n}`);
  await writeFile(dir, 'red/a.png', await solidRgb(20, 20, 200, 0, 0).png().toBuffer());
  await writeFile(dir, 'red/b.png', await solidRgb(24, 24, 180, 10, 0).png().toBuffer());
  await writeFile(dir, 'blue/c.png', await solidRgb(24, 30, 0, 0, 200).png().toBuffer());
  await writeFile(dir, 'blue/bad.png', 'not an image');
});

const opts = (over: Partial<ImportOptions> = {}) => testOptions(cache, over);

async function cacheFiles(d = cache): Promise<string[]> {
  return (await fs.readdir(d).catch(() => [] as string[])).sort();
}

async function onlyCacheFile(): Promise<string> {
  const files = await cacheFiles();
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/\.gsds$/);
  return path.join(cache, files[0]);
}

describe('cache hits', () => {
  it('second import of an unchanged folder comes from the cache, identical, without decoding', async () => {
    const first = await importDataset(dir, opts());
    expect(first.fromCache).toBe(false);
    expect(first.count).toBe(3);
    const events: ImportProgress[] = [];
    const second = await importDataset(dir, opts({ onProgress: (p) => events.push({ ...p }) }));
    expect(second.fromCache).toBe(true);
    expect(second.cacheKey).toBe(first.cacheKey);
    expect(second.count).toBe(first.count);
    expect(Buffer.from(second.pixels).equals(Buffer.from(first.pixels))).toBe(true);
    expect(Array.from(second.labels)).toEqual(Array.from(first.labels));
    expect(second.classNames).toEqual(['blue', 'red']);
    expect(second.report.skipped).toEqual([{ file: 'blue/bad.png', reason: 'not an image: unrecognised file format' }]);
    expect(second.report.sourceSizes).toEqual(first.report.sourceSizes);
    expect(second.batch([0, 1, 2])).toEqual(first.batch([0, 1, 2]));
    expect(events.some((e) => e.phase === 'decode')).toBe(false);
    expect(events.at(-1)).toEqual({ phase: 'cache', done: 1, total: 1 });
    // Written atomically: one cache file, no temp files left.
    await onlyCacheFile();
  });

  it('cache: false neither reads nor writes', async () => {
    await importDataset(dir, opts({ cache: false }));
    expect(await cacheFiles()).toEqual([]);
    expect((await importDataset(dir, opts({ cache: false }))).fromCache).toBe(false);
  });
});

describe('changes re-import', () => {
  beforeEach(async () => {
    expect((await importDataset(dir, opts())).fromCache).toBe(false);
    expect((await importDataset(dir, opts())).fromCache).toBe(true);
  });

  it('touching a file', async () => {
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(path.join(dir, 'red/a.png'), later, later);
    const ds = await importDataset(dir, opts());
    expect(ds.fromCache).toBe(false);
    expect((await importDataset(dir, opts())).fromCache).toBe(true);
  });

  it('modifying a file (new pixels show up)', async () => {
    await writeFile(dir, 'red/a.png', await solidRgb(20, 20, 0, 255, 0).png().toBuffer());
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(path.join(dir, 'red/a.png'), later, later);
    const ds = await importDataset(dir, opts());
    expect(ds.fromCache).toBe(false);
    const idx = 1; // blue/c.png, red/a.png, red/b.png
    expect(Array.from(ds.pixels.subarray(idx * 16 * 16 * 3, idx * 16 * 16 * 3 + 3))).toEqual([0, 255, 0]);
  });

  it('adding, removing and fixing files', async () => {
    await writeFile(dir, 'red/new.png', await solidRgb(20, 20, 1, 1, 1).png().toBuffer());
    const added = await importDataset(dir, opts());
    expect(added.fromCache).toBe(false);
    expect(added.count).toBe(4);
    await fs.rm(path.join(dir, 'red/new.png'));
    await fs.rm(path.join(dir, 'red/b.png'));
    const removed = await importDataset(dir, opts());
    expect(removed.fromCache).toBe(false);
    expect(removed.count).toBe(2);
    await writeFile(dir, 'blue/bad.png', await solidRgb(20, 20, 1, 1, 1).png().toBuffer());
    const fixed = await importDataset(dir, opts());
    expect(fixed.fromCache).toBe(false);
    expect(fixed.count).toBe(3);
    expect(fixed.report.skipped).toEqual([]);
  });

  it('adding a hidden file changes nothing', async () => {
    await writeFile(dir, '.DS_Store', 'junk');
    expect((await importDataset(dir, opts())).fromCache).toBe(true);
  });

  it('changing any preprocessing option', async () => {
    // Background case-insensitive: #FFFFFF is the default #ffffff → still a hit.
    expect((await importDataset(dir, opts({ background: '#FFFFFF' }))).fromCache).toBe(true);
    const changes: Partial<ImportOptions>[] = [
      { resolution: 8 },
      { channels: 1 },
      { resize: 'pad' },
      { background: '#000000' },
      { minSize: 21 },
    ];
    for (const change of changes) {
      const ds = await importDataset(dir, opts(change));
      expect(ds.fromCache, JSON.stringify(change)).toBe(false);
    }
    expect((await importDataset(dir, opts({ minSize: 21 }))).count).toBe(2); // red/a.png is 20×20
    // Only the newest few cache files per folder are kept.
    expect((await cacheFiles()).length).toBeLessThanOrEqual(3);
  });
});

describe('corrupt cache files are rebuilt', () => {
  const corruptions: [string, (file: string) => Promise<void>][] = [
    ['truncated', async (f) => fs.truncate(f, Math.floor((await fs.stat(f)).size / 2))],
    ['emptied', async (f) => fs.truncate(f, 0)],
    ['garbage', async (f) => fs.writeFile(f, Buffer.alloc((await fs.stat(f)).size, 0x5a))],
    [
      'one flipped pixel byte',
      async (f) => {
        const buf = await fs.readFile(f);
        buf[buf.length - 20] ^= 0xff; // inside the pixel data, before the trailer
        await fs.writeFile(f, buf);
      },
    ],
    [
      'a mangled header',
      async (f) => {
        const buf = await fs.readFile(f);
        buf.write('{{{{', 16, 'latin1');
        await fs.writeFile(f, buf);
      },
    ],
  ];

  for (const [name, corrupt] of corruptions) {
    it(name, async () => {
      const first = await importDataset(dir, opts());
      const file = await onlyCacheFile();
      await corrupt(file);
      const rebuilt = await importDataset(dir, opts());
      expect(rebuilt.fromCache).toBe(false);
      expect(rebuilt.report.warnings.join(' ')).toMatch(/cache file was unusable .* rebuilt/);
      expect(Buffer.from(rebuilt.pixels).equals(Buffer.from(first.pixels))).toBe(true);
      const again = await importDataset(dir, opts());
      expect(again.fromCache).toBe(true);
      expect(again.report.warnings).toEqual([]);
    });
  }
});

describe('cache location', () => {
  let savedEnv: string | undefined;
  beforeEach(() => {
    savedEnv = process.env.GAN_STUDIO_CACHE;
  });
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.GAN_STUDIO_CACHE;
    else process.env.GAN_STUDIO_CACHE = savedEnv;
  });

  it('defaults to $GAN_STUDIO_CACHE/datasets, else ~/.cache/gan-studio/datasets', async () => {
    delete process.env.GAN_STUDIO_CACHE;
    expect(defaultCacheDir()).toBe(path.join(os.homedir(), '.cache', 'gan-studio', 'datasets'));
    const envRoot = path.join(tmp, `env-cache-${n}`);
    process.env.GAN_STUDIO_CACHE = envRoot;
    expect(defaultCacheDir()).toBe(path.join(envRoot, 'datasets'));
    const { cacheDir: _unused, ...noCacheDir } = opts();
    await importDataset(dir, noCacheDir);
    expect(await cacheFiles(path.join(envRoot, 'datasets'))).toHaveLength(1);
    expect((await importDataset(dir, noCacheDir)).fromCache).toBe(true);
  });

  it('a cache folder inside the data folder is not imported', async () => {
    const inner = path.join(dir, 'cache');
    const a = await importDataset(dir, testOptions(inner));
    const b = await importDataset(dir, testOptions(inner));
    expect(b.fromCache).toBe(true);
    expect(a.count).toBe(3);
    expect(a.classNames).toEqual(['blue', 'red']);
    expect(b.report.skipped.some((s) => s.file.startsWith('cache/'))).toBe(false);
  });

  it('an unwritable cache is a warning, not a failure', async () => {
    const notADir = await writeFile(tmp, `plain-file-${n}`, 'x');
    const ds = await importDataset(dir, testOptions(path.join(notADir, 'sub')));
    expect(ds.count).toBe(3);
    expect(ds.fromCache).toBe(false);
    expect(ds.report.warnings.join(' ')).toMatch(/^could not write the cache/);
  });
});
