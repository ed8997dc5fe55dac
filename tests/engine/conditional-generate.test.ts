/**
 * Generate and export for runs that use the catalog's extras: a conditional G
 * (takes [z, class]) with spectral norm (a custom layer) and uniform latents.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { exportForWeb } from '../../src/engine/export-web';
import { generateImages, latents, loadGenerator, parseClass, type LoadedGenerator } from '../../src/engine/generate';
import { trainNewRun } from '../../src/engine/train/run-training';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

let gen: LoadedGenerator;
let runDir: string;

beforeAll(async () => {
  await onBackend('wasm');
  const config = parseConfig({
    model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4, latentDist: 'uniform' },
    g: { spectralNorm: true },
    conditional: { enabled: true, numClasses: 3 },
    batchSize: 6,
    gridSize: 3,
    steps: 2,
    sampleEvery: 0,
    checkpointEvery: 0,
  });
  const data = { ...blobData(9, 16, 3), labels: [0, 1, 2, 0, 1, 2, 0, 1, 2], classNames: ['cat', 'dog', 'owl'] };
  runDir = await trainNewRun(await tempDir(), {
    config,
    data,
    datasetKey: null,
    backend: 'wasm',
    importReport: { classNames: data.classNames },
  });
  gen = await loadGenerator(runDir);
});

describe('a conditional generator with custom layers', () => {
  it('knows its classes and latent distribution', () => {
    expect(gen.numClasses).toBe(3);
    expect(gen.classNames).toEqual(['cat', 'dog', 'owl']);
    expect(gen.latentDist).toBe('uniform');
    const z = latents(1, 4, gen.latentDim, gen.latentDist);
    expect(Math.max(...z)).toBeLessThanOrEqual(1);
    expect(Math.min(...z)).toBeGreaterThanOrEqual(-1);
  });

  it('draws per class: the class input changes the image, the same class and seed repeat it', async () => {
    const z = latents(3, 1, gen.latentDim, gen.latentDist);
    const cat = (await generateImages(gen, z, { classes: 0 })).bytes;
    const owl = (await generateImages(gen, z, { classes: 2 })).bytes;
    expect(
      Buffer.compare(Buffer.from(cat), Buffer.from(await generateImages(gen, z, { classes: 0 }).then((b) => b.bytes))),
    ).toBe(0);
    expect(Buffer.compare(Buffer.from(cat), Buffer.from(owl))).not.toBe(0);
  });

  it('takes classes by name or index and refuses others with a clear error', async () => {
    expect(parseClass(gen, 'dog')).toBe(1);
    expect(parseClass(gen, '2')).toBe(2);
    expect(() => parseClass(gen, 'horse')).toThrow(/Unknown class "horse". Choose one of: cat, dog, owl/);
    await expect(generateImages(gen, latents(0, 1, gen.latentDim), { classes: 5 })).rejects.toBeInstanceOf(UserError);
  });

  it('exports gan-layers.js (beside the demo page) and says how to feed the model', async () => {
    const out = await tempDir();
    const info = await exportForWeb(gen, out);
    expect((await readdir(out)).sort()).toEqual([
      'demo.js',
      'gan-layers.js',
      'gan-sampler.js',
      'generator.json',
      'index.html',
      'model.json',
      'tf.min.js',
      'weights.bin',
    ]);
    expect(info).toMatchObject({
      numClasses: 3,
      latentDistribution: 'uniform',
      layersScript: 'gan-layers.js',
      classNames: ['cat', 'dog', 'owl'],
    });
    expect(JSON.parse(await readFile(path.join(out, 'generator.json'), 'utf8'))).toEqual(info);
    expect(await readFile(path.join(out, 'gan-layers.js'), 'utf8')).toMatch(/registerGanLayers/);
  });
});
