/** Robustness: every kind of bad file is skipped with a reason; bad folders give one clear DatasetError. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetError, formatReport, importDataset, type ImportReport } from '../../../src/engine/dataset/index.js';
import { grayPng, isRoot, solidRgb, suiteTempDirs, testOptions, writeFile } from './helpers.js';

let tmp: string;
let cache: string;
suiteTempDirs((t, c) => {
  tmp = t;
  cache = c;
});

function reasonOf(report: ImportReport, file: string): string | undefined {
  return report.skipped.find((s) => s.file === file)?.reason;
}

async function rejection(p: Promise<unknown>): Promise<DatasetError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  return e as DatasetError;
}

describe('bad files are skipped and listed', () => {
  let dir: string;
  let report: ImportReport;
  let count: number;

  beforeAll(async () => {
    dir = path.join(tmp, 'mixed');
    const good = await solidRgb(20, 20, 10, 200, 30).png().toBuffer();
    const jpg = await solidRgb(64, 64, 10, 200, 30).jpeg().toBuffer();
    await writeFile(dir, 'good-1.png', good);
    await writeFile(dir, 'good-2.png', await grayPng(30, 12, 77));
    await writeFile(dir, 'empty.png', Buffer.alloc(0));
    await writeFile(dir, 'truncated.png', good.subarray(0, Math.floor(good.length / 2)));
    await writeFile(dir, 'truncated.jpg', jpg.subarray(0, jpg.length - 40));
    await writeFile(dir, 'text.png', 'this is not a PNG at all\n');
    await writeFile(dir, 'notes.txt', 'hello');
    await writeFile(dir, 'random.bin', Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 37) % 256)));
    await writeFile(dir, 'tiny.png', await solidRgb(4, 4, 0, 0, 0).png().toBuffer());
    await writeFile(dir, 'thin.png', await solidRgb(100, 5, 0, 0, 0).png().toBuffer());
    await writeFile(dir, '.hidden.png', good);
    await writeFile(dir, '.git/objects/x.png', good);
    await writeFile(dir, 'Thumbs.db', 'junk');
    await fs.symlink(path.join(dir, 'does-not-exist.png'), path.join(dir, 'dangling.png'));
    const ds = await importDataset(dir, testOptions(cache, { minSize: 8 }));
    report = ds.report;
    count = ds.count;
  });

  it('imports only the good images', () => {
    expect(count).toBe(2);
    expect(report.imported).toBe(2);
    expect(report.filesSeen).toBe(11); // hidden entries and Thumbs.db are not counted
    expect(report.imported + report.skipped.length).toBe(report.filesSeen);
  });

  it('gives a reason for each bad file', () => {
    expect(reasonOf(report, 'empty.png')).toBe('empty file (0 bytes)');
    expect(reasonOf(report, 'truncated.png')).toMatch(/^corrupt or truncated image: /);
    expect(reasonOf(report, 'truncated.jpg')).toMatch(/^corrupt or truncated image: .*premature end/i);
    expect(reasonOf(report, 'text.png')).toBe('not an image: unrecognised file format');
    expect(reasonOf(report, 'notes.txt')).toBe('not an image: unrecognised file format');
    expect(reasonOf(report, 'random.bin')).toMatch(/^not an image/);
    expect(reasonOf(report, 'tiny.png')).toBe('too small: 4×4 (minimum 8)');
    expect(reasonOf(report, 'thin.png')).toBe('too small: 100×5 (minimum 8)');
    expect(reasonOf(report, 'dangling.png')).toBe('broken symbolic link');
    expect(report.skipped).toHaveLength(9);
    expect(report.skipped.map((s) => s.file)).toEqual([...report.skipped.map((s) => s.file)].sort());
  });

  it('ignores hidden files and OS clutter without listing them', () => {
    expect(
      report.skipped.some((s) => s.file.includes('hidden') || s.file.startsWith('.git') || s.file === 'Thumbs.db'),
    ).toBe(false);
    expect(report.ignored).toBe(3);
  });

  it('prints a readable report', () => {
    const text = formatReport(report);
    expect(text).toContain('Imported 2 images');
    expect(text).toContain('tiny.png: too small: 4×4 (minimum 8)');
  });

  it('lists an unreadable file as "permission denied" (needs a non-root user; see permissions.test.ts)', async (ctx) => {
    if (isRoot)
      ctx.skip('running as root: chmod 000 does not stop root from reading; simulated in permissions.test.ts');
    const d = path.join(tmp, 'perm');
    await writeFile(d, 'ok.png', await solidRgb(20, 20, 1, 2, 3).png().toBuffer());
    const locked = await writeFile(d, 'locked.png', await solidRgb(20, 20, 1, 2, 3).png().toBuffer());
    await fs.chmod(locked, 0o000);
    try {
      const ds = await importDataset(d, testOptions(cache));
      expect(ds.count).toBe(1);
      expect(reasonOf(ds.report, 'locked.png')).toBe('permission denied');
    } finally {
      await fs.chmod(locked, 0o644);
    }
  });
});

describe('nothing usable, missing and wrong folders', () => {
  it('nothing usable → DatasetError with one line and the report attached', async () => {
    const dir = path.join(tmp, 'all-bad');
    await writeFile(dir, 'a.png', Buffer.alloc(0));
    await writeFile(dir, 'b.png', 'text');
    await writeFile(dir, 'c.png', await solidRgb(3, 3, 0, 0, 0).png().toBuffer());
    const e = await rejection(importDataset(dir, testOptions(cache)));
    expect(e.message).toBe(`No usable images in ${dir}: 3 files skipped (see report)`);
    expect(e.message).not.toContain('\n');
    expect(e.report?.skipped.map((s) => s.file)).toEqual(['a.png', 'b.png', 'c.png']);
  });

  it('empty folder, or one with only hidden files → DatasetError', async () => {
    const empty = path.join(tmp, 'empty');
    await fs.mkdir(empty);
    expect((await rejection(importDataset(empty, testOptions(cache)))).message).toBe(
      `No images in ${empty}: the folder is empty`,
    );
    const hidden = path.join(tmp, 'hidden-only');
    await writeFile(hidden, '.a.png', await solidRgb(20, 20, 0, 0, 0).png().toBuffer());
    expect((await rejection(importDataset(hidden, testOptions(cache)))).message).toMatch(
      /^No images in .*hidden-only: the folder is empty \(1 hidden file/,
    );
  });

  it('missing folder → DatasetError "Folder not found"', async () => {
    const missing = path.join(tmp, 'nope');
    expect((await rejection(importDataset(missing, testOptions(cache)))).message).toBe(`Folder not found: ${missing}`);
  });

  it('a file instead of a folder → DatasetError "Not a folder"', async () => {
    const file = await writeFile(tmp, 'file.png', await solidRgb(20, 20, 0, 0, 0).png().toBuffer());
    expect((await rejection(importDataset(file, testOptions(cache)))).message).toBe(`Not a folder: ${file}`);
  });

  it('relative paths are resolved against the working directory', async () => {
    const e = await rejection(importDataset('definitely-not-here-42', testOptions(cache)));
    expect(e.message).toBe(`Folder not found: ${path.resolve('definitely-not-here-42')}`);
  });

  it('bad options → DatasetError naming the option', async () => {
    const dir = path.join(tmp, 'opts');
    await writeFile(dir, 'a.png', await solidRgb(20, 20, 0, 0, 0).png().toBuffer());
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ resolution: 0 }, /^Invalid resolution 0/],
      [{ resolution: 12.5 }, /^Invalid resolution/],
      [{ channels: 2 }, /^Invalid channels 2/],
      [{ resize: 'zoom' }, /^Invalid resize mode zoom/],
      [{ background: 'white' }, /^Invalid background white/],
      [{ minSize: 0 }, /^Invalid minSize 0/],
    ];
    for (const [over, msg] of bad) {
      expect((await rejection(importDataset(dir, testOptions(cache, over)))).message).toMatch(msg);
    }
    expect((await rejection(importDataset('', testOptions(cache)))).message).toBe('No folder given');
  });

  it('skips FIFOs instead of blocking on them', async () => {
    const dir = path.join(tmp, 'fifo');
    await writeFile(dir, 'a.png', await solidRgb(20, 20, 0, 0, 0).png().toBuffer());
    const { execFileSync } = await import('node:child_process');
    try {
      execFileSync('mkfifo', [path.join(dir, 'pipe.png')]);
    } catch {
      return; // no mkfifo on this system
    }
    const ds = await importDataset(dir, testOptions(cache));
    expect(ds.count).toBe(1);
    expect(reasonOf(ds.report, 'pipe.png')).toBe('not a regular file');
  });
});
