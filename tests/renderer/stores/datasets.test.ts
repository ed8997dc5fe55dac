import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { THUMB_PAGE, useDatasetsStore } from '@renderer/stores/datasets';
import type { DatasetSummary } from '@shared/contract';
import type { FakeApi } from '../fake-api';
import { datasetSummary } from '../fixtures';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

describe('datasets store', () => {
  const ds = datasetSummary;

  it('imports with a task id, follows its progress, and shows the report', async () => {
    let resolveImport!: (d: DatasetSummary) => void;
    vi.mocked(api.importDataset).mockImplementation(() => new Promise((r) => (resolveImport = r)));
    const store = useDatasetsStore();
    store.options.resolution = 28;
    const pending = store.importDataset();
    expect(store.importing).toBe(true);
    const req = vi.mocked(api.importDataset).mock.calls[0][0];
    expect(req.dir).toBeNull();
    expect(req.options.resolution).toBe(28);
    api.emit('task:progress', { taskId: req.taskId!, kind: 'import', phase: 'decode', done: 30, total: 120 });
    expect(store.importFraction).toBeCloseTo(0.25);
    expect(store.importPhase).toBe('decode');
    resolveImport(ds());
    await pending;
    expect(store.importing).toBe(false);
    expect(store.current?.count).toBe(60_000);
    expect(store.skippedTotal).toBe(2);
  });

  it('a failed import (no usable image) shows its error and its report', async () => {
    const failed = ds({ count: 0, skippedCount: 2, error: 'No usable images in /x: 2 files skipped (see report)' });
    vi.mocked(api.importDataset).mockResolvedValue(failed);
    const store = useDatasetsStore();
    expect(await store.importDataset()).toEqual(failed);
    expect(store.error).toBe(failed.error);
    expect(store.current?.skipped).toEqual(failed.skipped); // the Report tab has something to show
    expect(store.skippedTotal).toBe(2);
  });

  it('reports an import failure in one line', async () => {
    vi.mocked(api.importDataset).mockRejectedValue(new Error('No usable images in /x'));
    const store = useDatasetsStore();
    expect(await store.importDataset()).toBeNull();
    expect(store.error).toBe('No usable images in /x');
  });

  it('fetches each thumbnail page once, only for the visible range', async () => {
    const store = useDatasetsStore();
    store.show(ds());
    await store.ensureThumbnails(0, 200);
    expect(api.datasetThumbnails).toHaveBeenCalledTimes(2);
    await store.ensureThumbnails(50, 150);
    expect(api.datasetThumbnails).toHaveBeenCalledTimes(2);
    expect(store.thumbAt(5)?.dataUrl).toBe('data:image/png;base64,5');
    expect(store.thumbAt(THUMB_PAGE * 3)).toBeNull();
    await store.ensureThumbnails(59_990, 60_100); // clipped to the data set
    const last = vi.mocked(api.datasetThumbnails).mock.calls.at(-1)![0];
    expect(last.offset).toBe(Math.floor(59_990 / THUMB_PAGE) * THUMB_PAGE);
  });
});

describe('datasets store: a reload keeps the choice', () => {
  it('restores the folder, the options and the import on show', async () => {
    const shown = datasetSummary({
      id: 'ds-pics',
      dir: '/pics',
      options: { resolution: 32, channels: 3, resize: 'pad', background: '#000000', minSize: 8 },
    });
    const store = useDatasetsStore();
    store.show(shown);
    store.options.resolution = 48; // an edit not imported yet
    await nextTick();

    setActivePinia(createPinia()); // the page reloads
    vi.mocked(api.listDatasets).mockResolvedValue([datasetSummary(), shown]);
    const again = useDatasetsStore();
    expect(again.dir).toBe('/pics');
    expect(again.options).toMatchObject({ resolution: 48, resize: 'pad', background: '#000000' });
    await again.loadRecent();
    expect(again.current?.id).toBe('ds-pics');
    expect(again.options.resolution).toBe(48);
  });
});
