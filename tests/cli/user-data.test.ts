/**
 * `gan-studio train --data DIR` on a folder of real image files made with
 * sharp, including a damaged file and an empty one that the import skips.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkpointNames,
  gridSide,
  makeTempDir,
  pngInfo,
  readJson,
  readStats,
  expectSuccess,
  removeDir,
  runCli,
  trainRun,
  type CliResult,
} from '../helpers/cli';

interface ImportReportJson {
  root: string;
  filesSeen: number;
  imported: number;
  skipped: { file: string; reason: string }[];
  sourceChannels: Record<string, number>;
  formats: Record<string, number>;
  sourceSizes: unknown;
}

let tmp: string;
let dataDir: string;
let runDir: string;
let result: CliResult;

/** Deterministic noise-and-gradient pixels. */
function pixels(width: number, height: number, channels: number, seed: number): Buffer {
  const buf = Buffer.alloc(width * height * channels);
  let s = seed * 2654435761;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const gradient = c === 0 ? (x * 255) / width : c === 1 ? (y * 255) / height : 128;
        const value = c === 3 ? 64 + ((x + y) % 192) : 0.7 * gradient + 0.3 * (s >>> 24);
        buf[(y * width + x) * channels + c] = Math.round(value);
      }
    }
  }
  return buf;
}

async function writeImage(file: string, width: number, height: number, channels: 3 | 4, seed: number): Promise<void> {
  const img = sharp(pixels(width, height, channels, seed), { raw: { width, height, channels } });
  const data = file.endsWith('.png') ? await img.png().toBuffer() : await img.jpeg({ quality: 90 }).toBuffer();
  await fs.writeFile(file, data);
}

beforeAll(async () => {
  tmp = await makeTempDir('gan-cli-data-');
  dataDir = path.join(tmp, 'my images');
  await fs.mkdir(dataDir);
  const sizes: [number, number][] = [
    [32, 32],
    [40, 24],
    [24, 48],
    [64, 64],
    [20, 30],
  ];
  for (let i = 0; i < 19; i++) {
    const [w, h] = sizes[i % sizes.length];
    const ext = i % 3 === 0 ? 'jpg' : 'png';
    await writeImage(path.join(dataDir, `img-${String(i).padStart(2, '0')}.${ext}`), w, h, 3, i + 1);
  }
  await writeImage(path.join(dataDir, 'alpha.png'), 36, 28, 4, 99);
  // A PNG cut short in its pixel data, and an empty file.
  const good = await sharp(pixels(32, 32, 3, 7), { raw: { width: 32, height: 32, channels: 3 } })
    .png()
    .toBuffer();
  await fs.writeFile(path.join(dataDir, 'broken.png'), good.subarray(0, 60));
  await fs.writeFile(path.join(dataDir, 'empty.jpg'), Buffer.alloc(0));

  const r = await trainRun(
    path.join(tmp, 'runs'),
    [
      '--data',
      dataDir,
      '--preset',
      'dcgan-64',
      '--set',
      'model.resolution=16',
      '--set',
      'model.baseWidth=4',
      '--set',
      'gridSize=2',
      '--steps',
      '2',
      '--batch',
      '4',
      '--backend',
      'wasm',
    ],
    { env: { GAN_STUDIO_CACHE: path.join(tmp, 'cache') } },
  );
  runDir = r.runDir;
  result = r.result;
});

afterAll(async () => {
  await removeDir(tmp);
});

describe('train --data on a user folder', () => {
  it('trains, and import-report.json lists exactly the two bad files with reasons', async () => {
    const report = await readJson<ImportReportJson>(path.join(runDir, 'import-report.json'));
    expect(report.root).toBe(dataDir);
    expect(report.filesSeen).toBe(22);
    expect(report.imported).toBe(20);
    const skipped = report.skipped;
    expect(skipped.map((s) => s.file).sort()).toEqual(['broken.png', 'empty.jpg']);
    for (const s of skipped) {
      expect(typeof s.reason).toBe('string');
      expect(s.reason.length).toBeGreaterThan(3);
    }
    expect(skipped.find((s) => s.file === 'empty.jpg')!.reason).toMatch(/empty|0 bytes/i);
    expect(report.sourceChannels).toMatchObject({ rgb: 19, rgba: 1 });
    expect(report.formats).toMatchObject({ png: 13, jpeg: 7 });
    expect(report.sourceSizes).toEqual({ minWidth: 20, maxWidth: 64, minHeight: 24, maxHeight: 64 });
  });

  it('reports the skipped files on stderr', () => {
    const lines = result.stderrLines;
    expect(lines).toContain(`data: 20 images from ${dataDir}, 16×16×3, 2 files skipped`);
    expect(lines.some((l) => /^ {2}broken\.png: /.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}empty\.jpg: /.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('error:'))).toEqual([]);
  });

  it('writes a 16-pixel colour run with the resolved options', async () => {
    const config = await readJson(path.join(runDir, 'config.json'));
    expect(config).toMatchObject({
      preset: 'dcgan-64',
      steps: 2,
      batchSize: 4,
      gridSize: 2,
      data: { dir: dataDir },
      model: { arch: 'dcgan-conv', resolution: 16, channels: 3, baseWidth: 4 },
    });
    expect((await readStats(runDir)).map((s) => s.step)).toEqual([1, 2]);
    expect(await checkpointNames(runDir)).toEqual(['step-000002']);
    expect(await pngInfo(path.join(runDir, 'samples', 'step-000002.png'))).toEqual({
      width: gridSide(2, 16),
      height: gridSide(2, 16),
      channels: 3,
    });
    expect(await readJson(path.join(runDir, 'status.json'))).toMatchObject({ status: 'finished', step: 2 });
  });

  it('generates 16×16 colour images from the run', async () => {
    const out = path.join(tmp, 'generated');
    const r = expectSuccess(
      await runCli(['generate', '--checkpoint', runDir, '--count', '2', '--out', out, '--grid'], {
        env: { GAN_STUDIO_CACHE: path.join(tmp, 'cache') },
      }),
    );
    expect(r.stderr.trim()).toBe(`wrote 2 images and grid.png to ${out} (EMA generator, step 2)`);
    expect((await fs.readdir(out)).sort()).toEqual(['grid.png', 'seed0-0000.png', 'seed0-0001.png']);
    expect(await pngInfo(path.join(out, 'seed0-0001.png'))).toEqual({ width: 16, height: 16, channels: 3 });
    expect(await pngInfo(path.join(out, 'grid.png'))).toEqual({
      width: gridSide(2, 16),
      height: gridSide(1, 16),
      channels: 3,
    });
  });
});
