/** Checkpoints on disk: what a damaged one does, and what a crash mid-save leaves. */
import { cp, mkdir, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { loadGenerator } from '../../src/engine/generate';
import { gridPng, readBatch } from '../../src/engine/image/png';
import { writeDirAtomic, writeFileAtomic } from '../../src/engine/io/atomic';
import { loadCheckpoint } from '../../src/engine/run/checkpoint';
import { createRunDir, listCheckpoints, resolveCheckpointDir } from '../../src/engine/run/run-dir';
import { trainNewRun } from '../../src/engine/train/run-training';
import * as tf from '@tensorflow/tfjs';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

const config = parseConfig({
  name: 'ck',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 3,
  steps: 2,
  sampleEvery: 0,
  checkpointEvery: 0,
});

async function trainedRun(): Promise<string> {
  return trainNewRun(await tempDir(), { config, data: blobData(8, 16, 3), datasetKey: null, backend: 'wasm' });
}

describe('run folders', () => {
  it('numbers runs 00001, 00002, … with the name', async () => {
    const out = await tempDir();
    const a = await createRunDir(out, 'cats');
    const b = await createRunDir(out, 'dogs');
    expect(path.basename(a)).toBe('00001-cats');
    expect(path.basename(b)).toBe('00002-dogs');
    expect(await readdir(a)).toEqual(['checkpoints', 'samples']);
  });

  it('writes the resolved config, a sample grid of gridSize² images and a complete checkpoint', async () => {
    const run = await trainedRun();
    expect(JSON.parse(await readFile(path.join(run, 'config.json'), 'utf8'))).toEqual(config);
    const meta = await sharp(path.join(run, 'samples', 'step-000002.png')).metadata();
    expect(meta.width).toBe(3 * 16 + 4 * 2);
    expect(meta.height).toBe(3 * 16 + 4 * 2);
    const [ck] = await listCheckpoints(run);
    expect((await readdir(ck.dir)).sort()).toEqual([
      'd',
      'g',
      'g_ema',
      'optimizer-d.bin',
      'optimizer-g.bin',
      'optimizer.json',
      'state.json',
    ]);
    const state = JSON.parse(await readFile(path.join(ck.dir, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ format: 2, step: 2, data: { epoch: 0, position: 8 } }); // two batches of 4 from 8 images
    expect(state.noise).toHaveLength(4);
  });

  it('resolves a run folder to its newest checkpoint', async () => {
    const run = await trainedRun();
    expect(await resolveCheckpointDir(run)).toBe(path.join(run, 'checkpoints', 'step-000002'));
    await expect(resolveCheckpointDir(path.join(run, 'samples'))).rejects.toThrow(
      /neither a run folder nor a checkpoint/,
    );
    await expect(resolveCheckpointDir('/no/such/run')).rejects.toThrow(/not a folder/);
  });
});

describe('damaged checkpoints give a clear UserError', () => {
  const damage: [string, (dir: string) => Promise<void>, RegExp][] = [
    ['truncated weights', (dir) => truncate(path.join(dir, 'g_ema', 'weights.bin'), 100), /truncated or corrupt/],
    ['garbage state.json', (dir) => writeFile(path.join(dir, 'state.json'), '{"step": 2, "form'), /state\.json/],
    ['missing model.json', (dir) => writeFile(path.join(dir, 'g_ema', 'model.json'), ''), /g_ema/],
  ];
  for (const [what, breakIt, message] of damage) {
    it(what, async () => {
      const run = await trainedRun();
      const [ck] = await listCheckpoints(run);
      await breakIt(ck.dir);
      const err = await loadGenerator(run).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(message);
    });
  }

  it('a short optimizer file', async () => {
    const run = await trainedRun();
    const [ck] = await listCheckpoints(run);
    await truncate(path.join(ck.dir, 'optimizer-d.bin'), 8);
    await expect(loadCheckpoint(ck.dir, config)).rejects.toThrow(/optimizer-d\.bin is 8 bytes/);
  });
});

describe('atomic writes', () => {
  it('a failed folder write leaves nothing, and the old checkpoint stays intact', async () => {
    const run = await trainedRun();
    const [ck] = await listCheckpoints(run);
    const before = await readFile(path.join(ck.dir, 'g', 'weights.bin'));
    const target = path.join(run, 'checkpoints', 'step-000003');
    await expect(
      writeDirAtomic(target, async (dir) => {
        await cp(ck.dir, dir, { recursive: true });
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(path.join(run, 'checkpoints'))).toEqual(['step-000002']);
    expect(Buffer.compare(await readFile(path.join(ck.dir, 'g', 'weights.bin')), before)).toBe(0);
  });

  it('a temp folder left by a crash is not taken for a checkpoint', async () => {
    const run = await trainedRun();
    await mkdir(path.join(run, 'checkpoints', '.step-000009.tmp-1-abcd'));
    expect((await listCheckpoints(run)).map((c) => c.step)).toEqual([2]);
  });

  it('a file write replaces the file whole', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'a.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.json']);
  });
});

describe('PNG output', () => {
  it('maps [-1, 1] to 0…255 and lays a batch out as a grid', async () => {
    const images = tf.tensor4d([-1, 1, 0, 2, -3, 0.5], [6, 1, 1, 1]);
    const batch = await readBatch(images);
    images.dispose();
    expect(Array.from(batch.bytes)).toEqual([0, 255, 128, 255, 0, 191]);
    const png = await gridPng(batch, { columns: 3, gap: 1, background: 7 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([7, 5]);
    const at = (x: number, y: number) => data[(y * info.width + x) * info.channels];
    expect([at(1, 1), at(3, 1), at(5, 1), at(1, 3), at(3, 3), at(5, 3)]).toEqual([0, 255, 128, 255, 0, 191]);
    expect(at(0, 0)).toBe(7);
  });
});
