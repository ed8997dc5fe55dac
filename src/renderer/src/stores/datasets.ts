import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { DatasetOptions, DatasetSummary, PreviewResult, SkippedFileInfo } from '@shared/contract';
import { getApi } from '../api/index';
import { errorMessage } from '../lib/format';
import { guarded } from '../lib/guarded';
import { isRecord, loadJson, saveJson } from '../lib/persist';
import { pagesFor } from '../lib/virtual';
import { useTasksStore } from './tasks';

/** Thumbnails per `datasets:thumbnails` call. */
export const THUMB_PAGE = 120;
/** Pages kept in memory (older ones are dropped as the grid scrolls). */
const MAX_PAGES = 60;

const DEFAULT_DATASET_OPTIONS: DatasetOptions = {
  resolution: 64,
  channels: 3,
  resize: 'crop',
  background: '#ffffff',
  minSize: 8,
};

/** localStorage key of the chosen folder, options and shown import, so a reload keeps them. */
const DATASET_CHOICE_STORAGE_KEY = 'gan-studio.dataset-choice';

interface SavedChoice {
  dir: string | null;
  options: DatasetOptions;
  /** The import on show, found again among the recent ones. */
  currentId: string | null;
}

const isSavedChoice = (v: unknown): v is SavedChoice =>
  isRecord(v) &&
  (v.dir === null || typeof v.dir === 'string') &&
  isRecord(v.options) &&
  typeof v.options.resolution === 'number' &&
  (v.currentId === null || typeof v.currentId === 'string');

/**
 * The data set being prepared: the folder (null: the bundled demo set), the
 * preprocessing options, the import (with progress), its report, a paged
 * thumbnail cache for the virtualized grid, the skipped-files report and the
 * preprocessing preview.
 */
export const useDatasetsStore = defineStore('datasets', () => {
  const saved = loadJson(DATASET_CHOICE_STORAGE_KEY, isSavedChoice);
  /** Chosen folder; null means the demo set. */
  const dir = ref<string | null>(saved?.dir ?? null);
  const options = ref<DatasetOptions>({ ...DEFAULT_DATASET_OPTIONS, ...(saved?.options ?? {}) });
  /** The import to show again once the recent list is loaded (after a reload). */
  let restoreId = saved?.currentId ?? null;
  /** Imported before (newest first). */
  const recent = shallowRef<DatasetSummary[]>([]);
  /** The imported data set on show. */
  const current = shallowRef<DatasetSummary | null>(null);
  const importing = ref(false);
  const importTaskId = ref<string | null>(null);
  const error = ref<string | null>(null);

  /** Loaded thumbnail pages by page index; `thumbVersion` bumps when one arrives. */
  const pages = new Map<number, { index: number; label: number; dataUrl: string }[]>();
  const pending = new Set<number>();
  const thumbVersion = ref(0);
  const thumbSize = ref(64);

  const skipped = shallowRef<SkippedFileInfo[]>([]);
  const skippedTotal = ref(0);
  const skippedLoading = ref(false);

  const preview = shallowRef<PreviewResult | null>(null);
  const previewLoading = ref(false);
  const previewError = ref<string | null>(null);

  /** Import progress in [0, 1]. */
  const importFraction = computed(() => useTasksStore().fraction(importTaskId.value));
  const importPhase = computed(() =>
    importTaskId.value ? (useTasksStore().progress[importTaskId.value]?.phase ?? 'scan') : null,
  );

  /** Load the list of data sets imported before. */
  async function loadRecent(): Promise<void> {
    try {
      recent.value = await getApi().listDatasets();
      const again = restoreId && !current.value ? recent.value.find((d) => d.id === restoreId) : null;
      restoreId = null;
      if (again) {
        const edited = { ...options.value };
        show(again);
        options.value = edited; // options changed since that import stay as they were
      }
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Use a chosen folder (null: the demo set); clears the shown import if it was another folder. */
  function setDir(value: string | null): void {
    dir.value = value;
    preview.value = null;
  }

  function resetThumbnails(): void {
    pages.clear();
    pending.clear();
    thumbVersion.value++;
  }

  function show(summary: DatasetSummary): void {
    current.value = summary;
    dir.value = summary.dir;
    options.value = { ...summary.options };
    skipped.value = summary.skipped;
    skippedTotal.value = summary.skippedCount;
    resetThumbnails();
  }

  /** Import `dir` with `options`, reporting progress; shows the result. */
  async function importDataset(): Promise<DatasetSummary | null> {
    return useTasksStore().track('import', importTaskId, (taskId) =>
      guarded(importing, error, async () => {
        const summary = await getApi().importDataset({ dir: dir.value, options: { ...options.value }, taskId });
        show(summary);
        // a failed import (no usable image) still comes with its report: show both
        if (summary.error) error.value = summary.error;
        void loadRecent();
        return summary;
      }),
    );
  }

  /** Cancel the running import. */
  async function cancelImport(): Promise<void> {
    if (!importTaskId.value) return;
    try {
      await getApi().cancelImport({ taskId: importTaskId.value });
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** The thumbnail of image `index`, if its page is loaded (reactive through thumbVersion). */
  function thumbAt(index: number): { dataUrl: string; label: number } | null {
    void thumbVersion.value;
    const page = pages.get(Math.floor(index / THUMB_PAGE));
    const item = page?.[index % THUMB_PAGE];
    return item && item.index === index ? item : null;
  }

  /** Make sure the thumbnails of images [start, end) are loaded or on their way. */
  async function ensureThumbnails(start: number, end: number): Promise<void> {
    const ds = current.value;
    if (!ds) return;
    const wanted = pagesFor(start, Math.min(end, ds.count), THUMB_PAGE).filter((p) => !pages.has(p) && !pending.has(p));
    await Promise.all(
      wanted.map(async (p) => {
        pending.add(p);
        try {
          const page = await getApi().datasetThumbnails({
            datasetId: ds.id,
            offset: p * THUMB_PAGE,
            limit: THUMB_PAGE,
            size: thumbSize.value,
          });
          if (current.value?.id !== ds.id) return;
          pages.set(p, page.items);
          if (pages.size > MAX_PAGES) {
            // drop the page farthest from this one
            let far = p;
            for (const k of pages.keys()) if (Math.abs(k - p) > Math.abs(far - p)) far = k;
            pages.delete(far);
          }
          thumbVersion.value++;
        } catch (e) {
          error.value = errorMessage(e);
        } finally {
          pending.delete(p);
        }
      }),
    );
  }

  /** Load the next page of the skipped-files report. */
  async function loadMoreSkipped(limit = 500): Promise<void> {
    const ds = current.value;
    if (!ds || skippedLoading.value || skipped.value.length >= skippedTotal.value) return;
    skippedLoading.value = true;
    try {
      const page = await getApi().datasetSkipped({ datasetId: ds.id, offset: skipped.value.length, limit });
      skipped.value = [...skipped.value, ...page.items];
      skippedTotal.value = page.total;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      skippedLoading.value = false;
    }
  }

  /** Original vs preprocessed for a few files of `dir` at the current options. */
  let previewGeneration = 0;
  async function loadPreview(count = 6): Promise<void> {
    // the preview follows the options live: only the newest request's answer counts
    const mine = ++previewGeneration;
    previewLoading.value = true;
    previewError.value = null;
    try {
      const result = await getApi().previewPreprocessing({
        dir: dir.value,
        options: { ...options.value },
        count,
        displaySize: 160,
      });
      if (mine === previewGeneration) preview.value = result;
    } catch (e) {
      if (mine === previewGeneration) previewError.value = errorMessage(e);
    } finally {
      if (mine === previewGeneration) previewLoading.value = false;
    }
  }

  watch(
    () => ({ dir: dir.value, options: { ...options.value }, currentId: current.value?.id ?? restoreId }),
    (choice) => saveJson(DATASET_CHOICE_STORAGE_KEY, choice satisfies SavedChoice),
    { deep: true },
  );

  return {
    dir,
    options,
    recent,
    current,
    importing,
    importTaskId,
    importFraction,
    importPhase,
    error,
    thumbVersion,
    thumbSize,
    skipped,
    skippedTotal,
    skippedLoading,
    preview,
    previewLoading,
    previewError,
    loadRecent,
    setDir,
    show,
    importDataset,
    cancelImport,
    thumbAt,
    ensureThumbnails,
    loadMoreSkipped,
    loadPreview,
  };
});
