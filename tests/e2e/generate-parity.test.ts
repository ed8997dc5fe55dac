/**
 * The seed rule end to end: seed s gives the same pixels in `gan-studio
 * generate`, in the studio's grid (in any batch, in any order), in a saved
 * PNG, in a batch written by the studio and at the ends of an interpolation,
 * for a generator with dropout noise (g.dropout > 0) and a conditional one
 * (with dropout too, so class and noise both have to line up).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateImages, latents, loadGenerator } from '../../src/engine/generate';
import { expectSuccess, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/temp';
import { onBackend } from '../helpers/tf';
import { trainTinyRun } from '../helpers/tiny-run';
import { makeStudio, type TestStudio } from '../studio/helpers';

const SEED = 40;
const COUNT = 4;
const SIZE = 16 * 16 * 3;

// Pixel norm and no EMA: a 2-step G whose images vary enough for its dropout noise to show.
const MODELS: Record<string, string[]> = {
  dropout: ['g.dropout=0.5', 'g.norm=pixel', 'ema.enabled=false'],
  conditional: [
    'g.dropout=0.3',
    'g.norm=pixel',
    'ema.enabled=false',
    'conditional.enabled=true',
    'conditional.batchNorm=false',
  ],
};

let s: TestStudio;
const runs: Record<string, { runId: string; runDir: string; cli: Buffer[] }> = {};

/** RGB bytes of a PNG (a file or a data URL). */
async function pixels(png: Buffer | string): Promise<Buffer> {
  const bytes =
    typeof png === 'string'
      ? png.startsWith('data:')
        ? Buffer.from(png.slice(png.indexOf(',') + 1), 'base64')
        : await readFile(png)
      : png;
  return sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer();
}

beforeAll(async () => {
  await onBackend('wasm');
  s = await makeStudio('browser');
  for (const [name, sets] of Object.entries(MODELS)) {
    const runDir = await trainTinyRun(s.runsRoot, ['steps=2', `name=${name}`, ...sets]);
    const out = await tempDir();
    expectSuccess(
      await runCli([
        'generate',
        '--checkpoint',
        runDir,
        '--count',
        String(COUNT),
        '--seed',
        String(SEED),
        '--out',
        out,
        '--backend',
        'wasm',
      ]),
    );
    const files = (await readdir(out)).sort();
    expect(files).toEqual(['seed40-0000.png', 'seed40-0001.png', 'seed40-0002.png', 'seed40-0003.png']);
    runs[name] = {
      runId: path.basename(runDir),
      runDir,
      cli: await Promise.all(files.map((f) => pixels(path.join(out, f)))),
    };
  }
}, 240_000);

afterAll(async () => {
  await s?.backend.dispose();
});

describe.each(Object.keys(MODELS))('seed parity for the %s generator', (name) => {
  const cls = (k: number) => (name === 'conditional' ? k % 3 : null); // `generate` cycles classes by image
  const withClass = (k: number) => (name === 'conditional' ? { class: k % 3 } : {});

  it('the dropout noise matters: the same z with another noise seed is another image', async () => {
    const gen = await loadGenerator(runs[name].runDir);
    try {
      const z = latents(SEED, 1, gen.latentDim, gen.latentDist);
      const a = await generateImages(gen, z, { noiseSeeds: [SEED], classes: 0 });
      const b = await generateImages(gen, z, { noiseSeeds: [SEED + 1], classes: 0 });
      const again = await generateImages(gen, z, { noiseSeeds: [SEED], classes: 0 });
      expect(Buffer.from(again.bytes).equals(Buffer.from(a.bytes))).toBe(true);
      expect(Math.max(...a.bytes.map((v, i) => Math.abs(v - b.bytes[i])))).toBeGreaterThan(2);
    } finally {
      gen.model.dispose();
    }
  });

  it('studio grid = `gan-studio generate`, whatever the batch and order', async () => {
    const checkpoint = { runId: runs[name].runId };
    const grid = await s.call('generate:images', { checkpoint, seeds: [40, 41, 42, 43] });
    expect(grid.images.map((i) => i.class)).toEqual([0, 1, 2, 3].map(cls));
    for (let k = 0; k < COUNT; k++)
      expect((await pixels(grid.images[k].dataUrl)).equals(runs[name].cli[k]), `seed ${40 + k}`).toBe(true);
    // Alone, or in another order, a seed is still the same image.
    const shuffled = await s.call('generate:images', {
      checkpoint,
      seeds: [43, 40, 42],
      ...(name === 'conditional' ? { classes: [0, 0, 2] } : {}),
    });
    expect((await pixels(shuffled.images[0].dataUrl)).equals(runs[name].cli[3])).toBe(true);
    expect((await pixels(shuffled.images[1].dataUrl)).equals(runs[name].cli[0])).toBe(true);
    expect((await pixels(shuffled.images[2].dataUrl)).equals(runs[name].cli[2])).toBe(true);
  });

  it('a saved PNG, a studio batch and the ends of an interpolation = `gan-studio generate`', async () => {
    const checkpoint = { runId: runs[name].runId };
    const saved = await s.call('generate:save-image', { checkpoint, pin: { seed: 41, ...withClass(1) }, scale: 1 });
    expect((await pixels(saved.path)).equals(runs[name].cli[1])).toBe(true);

    const batch = await s.call('generate:batch', { checkpoint, count: COUNT, seed: SEED });
    const names = (await readdir(batch.path)).filter((n) => n.endsWith('.png')).sort();
    expect(names).toHaveLength(COUNT);
    for (const [k, file] of names.entries())
      expect((await pixels(path.join(batch.path, file))).equals(runs[name].cli[k]), file).toBe(true);

    const path2 = await s.call('generate:interpolate', {
      checkpoint,
      pins: [
        { seed: 40, ...withClass(0) },
        { seed: 42, ...withClass(2) },
      ],
      framesPerSegment: 3,
      loop: false,
    });
    expect(path2.frames).toHaveLength(4);
    expect((await pixels(path2.frames[0])).equals(runs[name].cli[0])).toBe(true);
    expect((await pixels(path2.frames[3])).equals(runs[name].cli[2])).toBe(true);
    // A pin saved to a latents file and loaded back is the same image too.
    const file = await s.call('generate:save-latents', {
      checkpoint,
      pins: [
        { seed: 43, ...withClass(3) },
        { seed: 42, ...withClass(2) },
      ],
    });
    const parsed = await s.call('generate:parse-latents', { json: await readFile(file.path, 'utf8') });
    const fromFile = await s.call('generate:interpolate', {
      checkpoint,
      pins: parsed.pins,
      framesPerSegment: 2,
      loop: false,
    });
    expect((await pixels(fromFile.frames[0])).equals(runs[name].cli[3])).toBe(true);
    expect(SIZE).toBe(runs[name].cli[0].length);
  });
});
