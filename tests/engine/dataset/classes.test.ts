/** Class subfolders → classNames and labels; ordering; progress; abort. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDataset, type ImportProgress } from '../../../src/engine/dataset/index.js';
import { solidRgb, suiteTempDirs, testOptions, writeFile } from './helpers.js';

let tmp: string;
let cache: string;
suiteTempDirs((t, c) => {
  tmp = t;
  cache = c;
});

const png = (v: number) => solidRgb(20, 20, v, v, v).png().toBuffer();

describe('class subfolders', () => {
  it('first-level subfolders become sorted classes; deeper images belong to their first-level folder', async () => {
    const dir = path.join(tmp, 'classes');
    await writeFile(dir, 'zebra/1.png', await png(10));
    await writeFile(dir, 'cat/b.png', await png(20));
    await writeFile(dir, 'cat/a.png', await png(30));
    await writeFile(dir, 'cat/kittens/deep/c.png', await png(40));
    await writeFile(dir, 'dog/x.png', await png(50));
    await writeFile(dir, 'empty-class/readme.txt', 'no images here');
    await writeFile(dir, 'stray.png', await png(60));
    const ds = await importDataset(dir, testOptions(cache, { channels: 1 }));
    expect(ds.classNames).toEqual(['cat', 'dog', 'zebra']);
    expect(ds.report.classNames).toEqual(ds.classNames);
    expect(ds.report.classCounts).toEqual([3, 1, 1]);
    expect(ds.count).toBe(5);
    // Sorted by path: cat/a, cat/b, cat/kittens/deep/c, dog/x, zebra/1.
    expect(Array.from(ds.labels)).toEqual([0, 0, 0, 1, 2]);
    const first = (i: number) => ds.pixels[i * 16 * 16];
    expect([0, 1, 2, 3, 4].map(first)).toEqual([30, 20, 40, 50, 10]);
    // Root-level images are not used when there are class folders.
    expect(ds.report.skipped.find((s) => s.file === 'stray.png')?.reason).toMatch(/^outside the class folders/);
    expect(ds.report.skipped.find((s) => s.file === 'empty-class/readme.txt')?.reason).toMatch(/^not an image/);
  });

  it('no subfolders → no classes, labels all 0', async () => {
    const dir = path.join(tmp, 'flat');
    for (let i = 0; i < 4; i++) await writeFile(dir, `img-${i}.png`, await png(i * 10));
    const ds = await importDataset(dir, testOptions(cache));
    expect(ds.classNames).toEqual([]);
    expect(ds.report.classCounts).toEqual([]);
    expect(Array.from(ds.labels)).toEqual([0, 0, 0, 0]);
  });

  it('subfolders without usable images are not classes; root images are then used', async () => {
    const dir = path.join(tmp, 'no-usable-sub');
    await writeFile(dir, 'a.png', await png(1));
    await writeFile(dir, 'docs/readme.md', '# hi');
    await writeFile(dir, 'thumbs/t.png', await solidRgb(2, 2, 0, 0, 0).png().toBuffer());
    const ds = await importDataset(dir, testOptions(cache));
    expect(ds.count).toBe(1);
    expect(ds.classNames).toEqual([]);
  });

  it('order is deterministic and independent of creation order', async () => {
    const a = path.join(tmp, 'order-a');
    const b = path.join(tmp, 'order-b');
    const names = ['b.png', 'a.png', 'B.png', 'a10.png', 'a2.png', 'é.png'];
    for (const n of names) await writeFile(a, n, await png(names.indexOf(n) * 30));
    for (const n of [...names].reverse()) await writeFile(b, n, await png(names.indexOf(n) * 30));
    const da = await importDataset(a, testOptions(cache, { cache: false }));
    const db = await importDataset(b, testOptions(cache, { cache: false }));
    expect(Buffer.from(da.pixels).equals(Buffer.from(db.pixels))).toBe(true);
  });
});

describe('progress and abort', () => {
  it('reports scan, decode and cache progress', async () => {
    const dir = path.join(tmp, 'progress');
    for (let i = 0; i < 6; i++) await writeFile(dir, `${i}.png`, await png(i));
    const events: ImportProgress[] = [];
    await importDataset(dir, testOptions(cache, { onProgress: (p) => events.push({ ...p }) }));
    const decode = events.filter((e) => e.phase === 'decode');
    expect(decode.at(-1)).toEqual({ phase: 'decode', done: 6, total: 6 });
    expect(decode.map((e) => e.done)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(events.some((e) => e.phase === 'scan')).toBe(true);
    expect(events.at(-1)).toEqual({ phase: 'cache', done: 1, total: 1 });
    expect(events.findIndex((e) => e.phase === 'scan')).toBeLessThan(events.findIndex((e) => e.phase === 'decode'));
  });

  it('an aborted signal stops the import with an AbortError', async () => {
    const dir = path.join(tmp, 'abort');
    for (let i = 0; i < 20; i++) await writeFile(dir, `${i}.png`, await png(i));
    const ac = new AbortController();
    const p = importDataset(
      dir,
      testOptions(cache, {
        concurrency: 1,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.phase === 'decode' && e.done === 3) ac.abort();
        },
      }),
    );
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    const ac2 = new AbortController();
    ac2.abort();
    await expect(importDataset(dir, testOptions(cache, { signal: ac2.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('an aborted import rejects only once its decodes in flight have finished: nothing reports after it', async () => {
    // Several decodes in flight when the signal comes: before, the import rejected at once and the others
    // went on decoding and reporting progress, so a terminal bar drawn for them was never stopped.
    const dir = path.join(tmp, 'abort-inflight');
    for (let i = 0; i < 40; i++) await writeFile(dir, `${i}.png`, await png(i));
    const ac = new AbortController();
    let rejected = false;
    const late: ImportProgress[] = [];
    const p = importDataset(
      dir,
      testOptions(cache, {
        cache: false,
        concurrency: 4,
        signal: ac.signal,
        onProgress: (e) => {
          if (rejected) late.push({ ...e });
          if (e.phase === 'decode' && e.done === 5) ac.abort();
        },
      }),
    );
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    rejected = true;
    await new Promise((r) => setTimeout(r, 500)); // time for any straggler to report
    expect(late).toEqual([]);
  });
});
