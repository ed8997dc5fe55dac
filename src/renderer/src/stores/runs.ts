import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ConfigDiffEntry, RunDetail, RunSummary, StepStats, Unsubscribe } from '@shared/contract';
import { getApi } from '../api/index';
import { errorMessage } from '../lib/format';

/** Longer side of run and checkpoint thumbnails, px. */
export const THUMB_MAX = 96;

/**
 * Every run in the runs folder: the list (refreshed on `runs:changed`), the
 * selected run's detail with checkpoint thumbnails, a two-run comparison
 * (config diff and both runs' curves), delete and open-folder.
 */
export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const selectedId = ref<string | null>(null);
  const detail = shallowRef<RunDetail | null>(null);
  /** Thumbnails by `runId` (last sample) and `runId@step` (a given grid). */
  const thumbs = ref<Record<string, string>>({});
  /** The two runs being compared. */
  const compareIds = ref<[string, string] | null>(null);
  const diff = shallowRef<ConfigDiffEntry[]>([]);
  const compareStats = shallowRef<Record<string, StepStats[]>>({});
  /** A message after open-folder (browser mode shows the path). */
  const notice = ref<string | null>(null);
  let unsubscribe: Unsubscribe | null = null;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  const thumbPending = new Set<string>();

  const selected = computed(() => runs.value.find((r) => r.id === selectedId.value) ?? null);
  /** Runs with at least one checkpoint (Generate and Export need one). */
  const withCheckpoints = computed(() => runs.value.filter((r) => r.checkpointCount > 0));

  /** Load the list and keep it fresh on `runs:changed` (idempotent). */
  async function init(): Promise<void> {
    if (!unsubscribe) {
      unsubscribe = getApi().onRunsChanged((change) => {
        if (refreshTimer) clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => {
          refreshTimer = null;
          void refresh();
          if (change.runId && change.runId === selectedId.value && change.reason !== 'deleted') void select(change.runId);
        }, 300);
      });
    }
    await refresh();
  }

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      runs.value = await getApi().listRuns();
      error.value = null;
      if (selectedId.value && !runs.value.some((r) => r.id === selectedId.value)) {
        selectedId.value = null;
        detail.value = null;
      }
      for (const r of runs.value) if (r.lastSampleStep !== null) void loadThumb(r.id, r.lastSampleStep, r.id);
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  /** Fetch a grid thumbnail once, stored under `key`. */
  async function loadThumb(runId: string, step: number, key = `${runId}@${step}`): Promise<void> {
    const cacheKey = `${key}#${step}`;
    if (thumbPending.has(cacheKey) || thumbs.value[cacheKey]) return;
    thumbPending.add(cacheKey);
    try {
      const img = await getApi().runSample({ runId, step, maxSize: THUMB_MAX });
      thumbs.value = { ...thumbs.value, [key]: img.dataUrl, [cacheKey]: img.dataUrl };
    } catch {
      // a missing grid just shows no thumbnail
    } finally {
      thumbPending.delete(cacheKey);
    }
  }

  /** Show a run's detail and its checkpoint thumbnails. */
  async function select(id: string | null): Promise<void> {
    selectedId.value = id;
    if (!id) {
      detail.value = null;
      return;
    }
    try {
      const d = await getApi().getRun({ runId: id });
      if (selectedId.value !== id) return;
      detail.value = d;
      for (const c of d.checkpoints) if (c.sampleStep !== null) void loadThumb(id, c.sampleStep);
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Compare two runs: their config differences and both runs' curves. */
  async function compare(a: string, b: string): Promise<void> {
    compareIds.value = [a, b];
    try {
      const api = getApi();
      const [d, sa, sb] = await Promise.all([api.diffRuns({ a, b }), api.runStats({ runId: a, maxPoints: 3000 }), api.runStats({ runId: b, maxPoints: 3000 })]);
      diff.value = d;
      compareStats.value = { [a]: sa.stats, [b]: sb.stats };
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  function clearCompare(): void {
    compareIds.value = null;
    diff.value = [];
    compareStats.value = {};
  }

  /** Delete a run folder (ask the user first). */
  async function remove(id: string): Promise<boolean> {
    try {
      await getApi().deleteRun({ runId: id });
      runs.value = runs.value.filter((r) => r.id !== id);
      if (selectedId.value === id) {
        selectedId.value = null;
        detail.value = null;
      }
      if (compareIds.value?.includes(id)) clearCompare();
      return true;
    } catch (e) {
      error.value = errorMessage(e);
      return false;
    }
  }

  /** Open the run folder in the file manager (browser mode: tells where it is). */
  async function openFolder(id: string): Promise<void> {
    try {
      const res = await getApi().openPath({ kind: 'run', runId: id });
      notice.value = res.opened ? null : res.path;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  return {
    runs,
    loading,
    error,
    selectedId,
    selected,
    detail,
    thumbs,
    compareIds,
    diff,
    compareStats,
    notice,
    withCheckpoints,
    init,
    refresh,
    loadThumb,
    select,
    compare,
    clearCompare,
    remove,
    openFolder,
  };
});
