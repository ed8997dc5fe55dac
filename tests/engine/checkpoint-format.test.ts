/**
 * A checkpoint format that lasts: checkpoints record the maths options
 * themselves, so options added later take their defaults for old checkpoints,
 * run-control options never bind, format-1 checkpoints still load, and a
 * checkpoint from a newer version is refused with a clear line.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, resolveConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { configHash, configHashFormat1, mathsOptions } from '../../src/engine/run/config-compat';
import { loadCheckpoint } from '../../src/engine/run/checkpoint';
import { trainNewRun } from '../../src/engine/train/run-training';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

const config = parseConfig({
  name: 'fmt',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  steps: 1,
  sampleEvery: 0,
  checkpointEvery: 0,
});

async function checkpointDir(): Promise<string> {
  const run = await trainNewRun(await tempDir(), {
    config,
    data: blobData(8, 16, 3),
    datasetKey: null,
    backend: 'wasm',
  });
  return path.join(run, 'checkpoints', 'step-000001');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test edits arbitrary fields of the JSON
async function editState(dir: string, edit: (state: Record<string, any>) => void): Promise<void> {
  const file = path.join(dir, 'state.json');
  const state = JSON.parse(await readFile(file, 'utf8'));
  edit(state);
  await writeFile(file, JSON.stringify(state));
}

async function loadAndDispose(dir: string, c = config): Promise<void> {
  const parts = await loadCheckpoint(dir, c);
  for (const m of [parts.g, parts.d, parts.gEma]) m?.dispose();
  for (const t of Object.values(parts.optimizer!).flatMap((o) => Object.values(o.tensors))) t.dispose();
}

describe('the maths options', () => {
  it('leave out run control: steps, cadence, backend, names, grid size and the data folder', async () => {
    const a = await resolveConfig({ preset: 'dcgan-28' });
    const b = await resolveConfig({
      preset: 'dcgan-28',
      overrides: {
        steps: 99,
        sampleEvery: 7,
        checkpointEvery: 3,
        backend: 'cpu',
        name: 'x',
        keepCheckpoints: 9,
        gridSize: 4,
        'data.dir': '/moved/here',
        preset: 'custom',
      },
    });
    expect(configHash(b)).toBe(configHash(a));
    expect(mathsOptions(b)).toEqual(mathsOptions(a));
    for (const set of ['d.lr=0.001', 'seed=5', 'model.baseWidth=16', 'data.resize=pad', 'ema.decay=0.99']) {
      expect(configHash(await resolveConfig({ preset: 'dcgan-28', sets: [set] })), set).not.toBe(configHash(a));
    }
  });
});

describe('reading older checkpoints', () => {
  it('an option this checkpoint does not know takes its default', async () => {
    const dir = await checkpointDir();
    // As if ema.warmup and g.dropout had been added after the checkpoint was saved.
    await editState(dir, (s) => {
      delete s.options.ema.warmup;
      delete s.options.g.dropout;
    });
    await loadAndDispose(dir);
    // A run that set the new option away from its default no longer matches that checkpoint.
    await expect(loadAndDispose(dir, { ...config, g: { ...config.g, dropout: 0.5 } })).rejects.toThrow(
      /differs in g\.dropout/,
    );
  });

  it('a real difference names the options', async () => {
    const dir = await checkpointDir();
    const err = await loadAndDispose(dir, { ...config, d: { ...config.d, lr: 0.001 }, seed: 4 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/differs in d\.lr, seed/);
  });

  it('run-control options never bind a checkpoint', async () => {
    const dir = await checkpointDir();
    await loadAndDispose(dir, {
      ...config,
      steps: 50,
      gridSize: 5,
      name: 'other',
      data: { ...config.data, dir: '/elsewhere' },
    });
  });

  it('format 1 (a hash over the options of that version, no manifest) loads', async () => {
    const dir = await checkpointDir();
    await editState(dir, (s) => {
      s.format = 1;
      s.configHash = configHashFormat1(config);
      delete s.options;
      delete s.files;
      delete s.dataKey;
    });
    await loadAndDispose(dir);
    await expect(loadAndDispose(dir, { ...config, g: { ...config.g, lr: 0.01 } })).rejects.toThrow(
      /config hash differs/,
    );
  });

  it('the format-1 hash is the one version 0.1.0 wrote', () => {
    // Golden values: configHash() of GAN Studio 0.1.0 (checkpoint format 1) on these configs.
    const dcgan28 = parseConfig({
      preset: 'dcgan-28',
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1 },
      batchSize: 64,
    });
    const hinge = parseConfig({ loss: 'hinge', d: { spectralNorm: true, norm: 'none' }, seed: 7 });
    expect(configHashFormat1(dcgan28)).toBe('c0fc21a127db35b0');
    expect(configHashFormat1(hinge)).toBe('a64036951d670cb2');
    // Options added after format 1 do not enter it.
    expect(configHashFormat1({ ...dcgan28, recovery: { enabled: false } } as typeof dcgan28)).toBe('c0fc21a127db35b0');
  });

  it('a checkpoint from a newer GAN Studio is refused, with what to do', async () => {
    const dir = await checkpointDir();
    await editState(dir, (s) => (s.format = 99));
    await expect(loadAndDispose(dir)).rejects.toThrow(
      /saved by a newer GAN Studio \(checkpoint format 99.*Update GAN Studio/,
    );
  });
});
