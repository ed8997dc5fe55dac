import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useConfigStore } from '@renderer/stores/config';
import { useStudioStore } from '@renderer/stores/studio';
import { TrainConfigSchema } from '@shared/config';
import type { DatasetSummary } from '@shared/contract';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

describe('config store', () => {
  const jsonSchema = { type: 'object', properties: {} };
  const presetConfig = TrainConfigSchema.parse({
    preset: 'dcgan-28',
    model: { arch: 'dcgan-dense', resolution: 28, channels: 1 },
  });

  it('starts from the default preset and checks edits with the backend after a pause', async () => {
    vi.useFakeTimers();
    vi.mocked(api.configSchema).mockResolvedValue({
      jsonSchema,
      groups: [],
      presets: [{ name: 'dcgan-28', description: 'small', config: presetConfig }],
      defaultPreset: 'dcgan-28',
      resumableKeys: ['steps'],
    });
    const c = useConfigStore();
    await c.load();
    expect(c.preset).toBe('dcgan-28');
    expect((c.values.model as { resolution: number }).resolution).toBe(28);

    c.setValues({ ...c.values, batchSize: 99999 });
    c.setValues({ ...c.values, batchSize: 5000 });
    expect(api.resolveConfig).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(api.resolveConfig).toHaveBeenCalledTimes(1); // debounced
    expect(c.valid).toBe(false);
    expect(Object.keys(c.serverErrors)).toEqual(['batchSize']);

    c.setValues({ ...c.values, batchSize: 32 });
    await vi.advanceTimersByTimeAsync(300);
    expect(c.valid).toBe(true);
    expect(c.resolved?.batchSize).toBe(32);
  });

  it('points the config at an imported data set', () => {
    const c = useConfigStore();
    c.values = TrainConfigSchema.parse({}) as unknown as Record<string, unknown>;
    c.useDataset({
      dir: '/pics',
      options: { resolution: 32, channels: 3, resize: 'pad', background: '#000000', minSize: 8 },
    } as DatasetSummary);
    expect(c.values.data).toMatchObject({ dir: '/pics', resize: 'pad', background: '#000000' });
    expect(c.values.model).toMatchObject({ resolution: 32, channels: 3 });
  });
});

describe('config store: the data folder', () => {
  it('in browser mode, a data.dir that is not there is an error on that field, not "valid"', async () => {
    vi.useFakeTimers();
    await useStudioStore().init();
    vi.mocked(api.listDir).mockRejectedValue(new Error('Folder not found: /nope'));
    const c = useConfigStore();
    c.values = TrainConfigSchema.parse({}) as unknown as Record<string, unknown>;
    c.setValues({ ...c.values, data: { ...(c.values.data as object), dir: '/nope' } });
    await vi.advanceTimersByTimeAsync(300);
    expect(c.valid).toBe(false);
    expect(c.serverErrors['data.dir']).toBe('Folder not found: /nope');
    vi.mocked(api.listDir).mockResolvedValue({ path: '/pics', parent: '/', entries: [], imageCount: 3, places: [] });
    c.setValues({ ...c.values, data: { ...(c.values.data as object), dir: '/pics' } });
    await vi.advanceTimersByTimeAsync(300);
    expect(c.valid).toBe(true);
  });
});

describe('config store: a reload keeps the form', () => {
  it('restores the preset, the edits and the chosen data set after a reload', async () => {
    const presetConfig = TrainConfigSchema.parse({
      preset: 'dcgan-28',
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1 },
    });
    const schemaInfo = {
      jsonSchema: { type: 'object', properties: {} },
      groups: [],
      presets: [{ name: 'dcgan-28', description: 'small', config: presetConfig }],
      defaultPreset: 'dcgan-28',
      resumableKeys: ['steps'],
    };
    vi.mocked(api.configSchema).mockResolvedValue(schemaInfo);
    const c = useConfigStore();
    await c.load();
    c.useDataset({
      dir: '/pics',
      count: 300,
      options: { resolution: 32, channels: 3, resize: 'pad', background: '#000000', minSize: 8 },
    } as DatasetSummary);
    c.setValues({ ...c.values, batchSize: 24 });

    setActivePinia(createPinia()); // the page reloads
    const again = useConfigStore();
    await again.load();
    expect(again.values.batchSize).toBe(24);
    expect(again.values.data).toMatchObject({ dir: '/pics', resize: 'pad' });
    expect(again.values.model).toMatchObject({ resolution: 32, channels: 3 });
    expect(again.dataset).toEqual({ count: 300, resolution: 32, channels: 3 });
  });

  it("starts a new run's form from an existing run's config", () => {
    const c = useConfigStore();
    const config = TrainConfigSchema.parse({ preset: 'sngan-hinge', steps: 777, data: { dir: '/faces' } });
    c.fromConfig(config);
    expect(c.preset).toBe('sngan-hinge');
    expect(c.values.steps).toBe(777);
    expect((c.values.data as { dir: string }).dir).toBe('/faces');
  });

  it('"Use for training" before the Train view ever loaded: the default preset, with the data set', async () => {
    vi.mocked(api.configSchema).mockResolvedValue({
      jsonSchema: { type: 'object', properties: {} },
      groups: [],
      presets: [
        {
          name: 'dcgan-28',
          description: 'small',
          config: TrainConfigSchema.parse({
            preset: 'dcgan-28',
            model: { arch: 'dcgan-dense', resolution: 28, channels: 1 },
          }),
        },
      ],
      defaultPreset: 'dcgan-28',
      resumableKeys: ['steps'],
    });
    const c = useConfigStore();
    const options = { resolution: 32, channels: 3, resize: 'pad', background: '#000000', minSize: 8 } as const;
    c.useDataset({ id: 'ds-1', dir: '/data/cats', count: 300, options } as unknown as DatasetSummary);
    await c.load();
    expect(c.preset).toBe('dcgan-28');
    expect(c.values.name).toBe('run');
    expect((c.values.data as { dir: string }).dir).toBe('/data/cats');
    expect(c.values.model).toMatchObject({ resolution: 32, channels: 3 });
  });
});
