import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSet, resolveConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { configHash } from '../../src/engine/run/checkpoint';
import { tempDir } from '../helpers/temp';

describe('resolveConfig', () => {
  it('fills every option with its default', async () => {
    const c = await resolveConfig({});
    expect(c).toMatchObject({
      loss: 'nonsaturating',
      dSteps: 1,
      g: { lr: 2e-4, beta1: 0.5 },
      d: { lr: 2e-4, beta1: 0.5 },
      ema: { enabled: true },
    });
  });

  it('applies preset < config file < --set < flags', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'c.json');
    await writeFile(file, JSON.stringify({ batchSize: 32, g: { lr: 0.001 }, model: { baseWidth: 32 } }));
    const c = await resolveConfig({
      preset: 'dcgan-64',
      configFile: file,
      sets: ['g.lr=0.0005', 'loss=minimax'],
      overrides: { batchSize: 16, steps: undefined },
    });
    expect(c.model).toMatchObject({ arch: 'dcgan-conv', resolution: 64, channels: 3, baseWidth: 32 });
    expect(c.g.lr).toBe(0.0005);
    expect(c.g.beta1).toBe(0.5); // the file set only g.lr: the rest of g keeps its defaults
    expect(c.loss).toBe('minimax');
    expect(c.batchSize).toBe(16);
    expect(c.preset).toBe('dcgan-64');
  });

  it('names the option in every error', async () => {
    const fail = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(UserError);
    await fail(resolveConfig({ preset: 'dcgan-99' }));
    await expect(resolveConfig({ preset: 'dcgan-99' })).rejects.toThrow(
      /Unknown preset "dcgan-99".*dcgan-28, dcgan-64/,
    );
    await expect(resolveConfig({ sets: ['g.lrr=1'] })).rejects.toThrow(/"g\.lrr"/);
    await expect(resolveConfig({ sets: ['batchSize=big'] })).rejects.toThrow(/"batchSize"/);
    await expect(resolveConfig({ sets: ['loss=hinged'] })).rejects.toThrow(/"loss"/);
    await expect(resolveConfig({ sets: ['model.resolution=48'] })).rejects.toThrow(/"model\.resolution".*power of two/);
    await expect(resolveConfig({ preset: 'dcgan-28', sets: ['model.resolution=32'] })).rejects.toThrow(
      /"model\.resolution".*dcgan-dense needs resolution 28/,
    );
    await expect(resolveConfig({ sets: ['data.background=white'] })).rejects.toThrow(/"data\.background"/);
    await expect(resolveConfig({ configFile: '/nonexistent/c.json' })).rejects.toThrow(/Config file not found/);
  });

  it('reports a config file that is not JSON', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{ "batchSize": ');
    await expect(resolveConfig({ configFile: file })).rejects.toThrow(/not valid JSON/);
  });
});

describe('parseSet', () => {
  it('parses JSON values and keeps bare words as strings', () => {
    expect(parseSet('g.lr=1e-4')).toEqual({ key: 'g.lr', value: 1e-4 });
    expect(parseSet('ema.enabled=false')).toEqual({ key: 'ema.enabled', value: false });
    expect(parseSet('loss=minimax')).toEqual({ key: 'loss', value: 'minimax' });
    expect(parseSet('data.background=#000000')).toEqual({ key: 'data.background', value: '#000000' });
    expect(parseSet('data.dir=null')).toEqual({ key: 'data.dir', value: null });
  });

  it('rejects entries that are not key=value', () => {
    expect(() => parseSet('lr')).toThrow(/expected key=value/);
    expect(() => parseSet('=3')).toThrow(/expected key=value/);
    expect(() => parseSet('a..b=3')).toThrow(/not an option name/);
  });
});

describe('configHash', () => {
  it('ignores run-control options and sees model and training options', async () => {
    const a = await resolveConfig({ preset: 'dcgan-28' });
    const b = await resolveConfig({
      preset: 'dcgan-28',
      overrides: { steps: 99, sampleEvery: 7, checkpointEvery: 3, backend: 'cpu', name: 'x', keepCheckpoints: 9 },
    });
    const c = await resolveConfig({ preset: 'dcgan-28', sets: ['d.lr=0.001'] });
    expect(configHash(b)).toBe(configHash(a));
    expect(configHash(c)).not.toBe(configHash(a));
  });
});
