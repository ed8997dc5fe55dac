/**
 * "permission denied" for an unreadable file, simulated: tests run as root,
 * where chmod 000 does not stop reads, so readFile is made to fail with EACCES
 * for one file (and readdir for one folder). (bad-files.test.ts does it for real when not root.)
 */
import type * as FsPromises from 'node:fs/promises';
import path from 'node:path';
import { expect, it, vi } from 'vitest';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const readFile = (async (p: unknown, ...rest: unknown[]) => {
    if (typeof p === 'string' && path.basename(p) === 'locked.png') {
      throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), { code: 'EACCES', errno: -13, path: p });
    }
    return (actual.readFile as (...a: unknown[]) => Promise<unknown>)(p, ...rest);
  }) as typeof actual.readFile;
  const readdir = (async (p: unknown, ...rest: unknown[]) => {
    if (typeof p === 'string' && path.basename(p) === 'locked-dir') {
      throw Object.assign(new Error(`EACCES: permission denied, scandir '${p}'`), {
        code: 'EACCES',
        errno: -13,
        path: p,
      });
    }
    return (actual.readdir as (...a: unknown[]) => Promise<unknown>)(p, ...rest);
  }) as typeof actual.readdir;
  return { ...actual, readFile, readdir, default: { ...actual, readFile, readdir } };
});

const { importDataset } = await import('../../../src/engine/dataset/index.js');
const { solidRgb, suiteTempDirs, testOptions, writeFile } = await import('./helpers.js');

let tmp: string;
let cache: string;
suiteTempDirs((t, c) => {
  tmp = t;
  cache = c;
});

it('an unreadable file is skipped as "permission denied"', async () => {
  const png = await solidRgb(20, 20, 9, 9, 9).png().toBuffer();
  await writeFile(tmp, 'ok.png', png);
  await writeFile(tmp, 'locked.png', png);
  const ds = await importDataset(tmp, testOptions(cache));
  expect(ds.count).toBe(1);
  expect(ds.report.skipped).toEqual([{ file: 'locked.png', reason: 'permission denied' }]);
});

it('an unreadable subfolder is listed, the rest imported', async () => {
  const dir = path.join(tmp, 'with-locked-dir');
  const png = await solidRgb(20, 20, 9, 9, 9).png().toBuffer();
  await writeFile(dir, 'a.png', png);
  await writeFile(dir, 'locked-dir/b.png', png);
  const ds = await importDataset(dir, testOptions(cache));
  expect(ds.count).toBe(1);
  expect(ds.report.skipped).toEqual([{ file: 'locked-dir/', reason: 'folder not scanned: permission denied' }]);
});

it('an unreadable root folder is a DatasetError', async () => {
  const dir = path.join(tmp, 'locked-dir');
  await writeFile(dir, 'a.png', await solidRgb(20, 20, 9, 9, 9).png().toBuffer());
  await expect(importDataset(dir, testOptions(cache))).rejects.toThrow(`Cannot read folder ${dir}: permission denied`);
});
