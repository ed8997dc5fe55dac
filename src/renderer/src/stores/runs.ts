import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type {
  ConfigDiffEntry,
  MetricsPoint,
  RunDetail,
  RunFollowUpdate,
  RunRepairResult,
  RunSummary,
  StepStats,
  Unsubscribe,
} from '@shared/contract';
import { getApi } from '../api/index';
import { followRun } from '../lib/follow-run';
import { onReconnect } from '../lib/reconnect';
import { errorMessage } from '../lib/format';
import { followedMetrics } from '../lib/quality';

/**
 * One table from the diffs of run 1 against runs 2…n: a row per option that
 * differs anywhere; a run whose diff lacks the option has run 1's value.
 */
export function mergeDiffs(diffs: readonly ConfigDiffEntry[][]): { path: string; values: unknown[] }[] {
  const rows = new Map<string, unknown[]>();
  diffs.forEach((d, i) => {
    for (const e of d) {
      if (!rows.has(e.path)) rows.set(e.path, [e.a, ...diffs.map(() => undefined)]);
      rows.get(e.path)![i + 1] = e.b;
    }
  });
  for (const values of rows.values())
    for (let i = 1; i < values.length; i++) if (values[i] === undefined) values[i] = values[0];
  return [...rows.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([path, values]) => ({ path, values }));
}

/** Longer side of run and checkpoint thumbnails, px. */
const THUMB_MAX = 96;

/**
 * Every run in the runs folder: the list (refreshed on `runs:changed`), the
 * selected run's detail with checkpoint thumbnails, a comparison of runs
 * (config diff, curves, samples), delete and open-folder. The selected run,
 * the compared runs and every run another process trains are followed live
 * (lib/follow-run): their steps, grids and curves update as they are written.
 */
export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const selectedId = ref<string | null>(null);
  const detail = shallowRef<RunDetail | null>(null);
  /** Thumbnails by `runId` (last sample) and `runId@step` (a given grid). */
  const thumbs = ref<Record<string, string>>({});
  /** The runs being compared (two or more), in the order they were ticked. */
  const compareIds = ref<string[] | null>(null);
  /** The first two runs' config differences (as `runs:diff` gives them). */
  const diff = shallowRef<ConfigDiffEntry[]>([]);
  /** Every option that differs between any of the compared runs: one value per run, in compareIds order. */
  const diffTable = shallowRef<{ path: string; values: unknown[] }[]>([]);
  /** The saved sample grid steps of each compared run. */
  const compareSampleSteps = shallowRef<Record<string, number[]>>({});
  const compareStats = shallowRef<Record<string, StepStats[]>>({});
  /** The quality evaluations (metrics.jsonl) of each compared run. */
  const compareMetrics = shallowRef<Record<string, MetricsPoint[]>>({});
  /** The selected run's quality evaluations. */
  const detailMetrics = shallowRef<MetricsPoint[]>([]);
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
      // a restart of serve: runs changed while the page was away (its job ended, a CLI run began)
      const offReconnect = onReconnect(getApi(), () => {
        void refresh();
        if (selectedId.value) void select(selectedId.value);
      });
      const offChanged = getApi().onRunsChanged((change) => {
        if (refreshTimer) clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => {
          refreshTimer = null;
          void refresh();
          if (change.runId && change.runId === selectedId.value && change.reason !== 'deleted')
            void select(change.runId);
        }, 300);
      });
      unsubscribe = () => {
        offReconnect();
        offChanged();
      };
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
      detailMetrics.value = [];
      return;
    }
    try {
      const [d, quality] = await Promise.all([
        getApi().getRun({ runId: id }),
        // metrics.jsonl comes with the stats; 10 points of those are enough here
        getApi()
          .runStats({ runId: id, maxPoints: 10 })
          .catch(() => null),
      ]);
      if (selectedId.value !== id) return;
      detail.value = d;
      detailMetrics.value = quality?.metrics ?? [];
      for (const c of d.checkpoints) if (c.sampleStep !== null) void loadThumb(id, c.sampleStep);
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /**
   * Compare runs: every option that differs (each run against the first, as
   * `runs:diff` answers, merged into one table), every run's curves and the
   * steps of its sample grids.
   */
  async function compare(...ids: string[]): Promise<void> {
    if (ids.length < 2) return;
    compareIds.value = ids;
    try {
      const api = getApi();
      const [first, ...others] = ids;
      const [diffs, stats, details] = await Promise.all([
        Promise.all(others.map((b) => api.diffRuns({ a: first, b }))),
        Promise.all(ids.map((runId) => api.runStats({ runId, maxPoints: 3000 }))),
        Promise.all(ids.map((runId) => api.getRun({ runId }).catch(() => null))),
      ]);
      diff.value = diffs[0];
      diffTable.value = mergeDiffs(diffs);
      compareStats.value = Object.fromEntries(ids.map((id, i) => [id, stats[i].stats]));
      compareMetrics.value = Object.fromEntries(ids.map((id, i) => [id, stats[i].metrics ?? []]));
      compareSampleSteps.value = Object.fromEntries(ids.map((id, i) => [id, details[i]?.sampleSteps ?? []]));
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  function clearCompare(): void {
    compareIds.value = null;
    diff.value = [];
    diffTable.value = [];
    compareSampleSteps.value = {};
    compareStats.value = {};
    compareMetrics.value = {};
  }

  /** Runs to follow live: the selected one, the compared ones, and those trained by another process. */
  const followedIds = computed(() => {
    const ids = new Set<string>();
    if (selectedId.value) ids.add(selectedId.value);
    for (const id of compareIds.value ?? []) ids.add(id);
    for (const r of runs.value) if ((r.status === 'running' || r.status === 'paused') && !r.live) ids.add(r.id);
    return [...ids].sort();
  });
  const follows = new Map<string, Unsubscribe>();
  watch(
    followedIds,
    (ids) => {
      for (const [id, off] of follows)
        if (!ids.includes(id)) {
          off();
          follows.delete(id);
        }
      for (const id of ids) if (!follows.has(id)) follows.set(id, followRun(getApi(), id, onFollowUpdate));
    },
    { flush: 'sync' },
  );

  /** Stop following every run (tests, teardown). */
  function dispose(): void {
    for (const off of follows.values()) off();
    follows.clear();
    unsubscribe?.();
    unsubscribe = null;
  }

  /** A followed run's trainer wrote something: the list row, the detail and the comparison follow. */
  function onFollowUpdate(u: RunFollowUpdate): void {
    const lastStep = u.stats[u.stats.length - 1]?.step;
    const lastSample = u.sampleSteps?.length ? u.sampleSteps[u.sampleSteps.length - 1] : undefined;
    const patch = (r: RunSummary): RunSummary => ({
      ...r,
      step: u.reset ? (lastStep ?? r.step) : Math.max(r.step, lastStep ?? 0),
      lastSampleStep: u.sampleSteps ? (lastSample ?? null) : r.lastSampleStep,
      status: u.status ?? r.status,
    });
    if (lastStep !== undefined || u.sampleSteps || u.status)
      runs.value = runs.value.map((r) => (r.id === u.runId ? patch(r) : r));
    if (lastSample !== undefined) void loadThumb(u.runId, lastSample, u.runId);
    const d = detail.value;
    const newMetrics = u.metricsReset || u.metrics.length > 0;
    if (d && d.summary.id === u.runId) {
      detail.value = { ...d, summary: patch(d.summary), sampleSteps: u.sampleSteps ?? d.sampleSteps };
      if (newMetrics) detailMetrics.value = followedMetrics(detailMetrics.value, u);
    }
    if (compareIds.value?.includes(u.runId)) {
      const had = compareStats.value[u.runId] ?? [];
      const last = had[had.length - 1]?.step ?? -1;
      const fresh = u.stats.filter((x) => x.step > last);
      if (u.reset || fresh.length)
        compareStats.value = { ...compareStats.value, [u.runId]: u.reset ? u.stats : [...had, ...fresh] };
      if (u.sampleSteps) compareSampleSteps.value = { ...compareSampleSteps.value, [u.runId]: u.sampleSteps };
      if (newMetrics)
        compareMetrics.value = {
          ...compareMetrics.value,
          [u.runId]: followedMetrics(compareMetrics.value[u.runId] ?? [], u),
        };
    }
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

  /**
   * Repair a damaged or interrupted run: `apply: false` only asks what would
   * be done. After a repair the list is read again. Null when it failed
   * (`error` says why).
   */
  async function repair(id: string, apply: boolean): Promise<RunRepairResult | null> {
    try {
      const result = await getApi().repairRun({ runId: id, apply });
      if (apply) await refresh();
      return result;
    } catch (e) {
      error.value = errorMessage(e);
      return null;
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
    diffTable,
    compareStats,
    compareMetrics,
    detailMetrics,
    compareSampleSteps,
    notice,
    withCheckpoints,
    init,
    refresh,
    loadThumb,
    select,
    compare,
    clearCompare,
    remove,
    repair,
    openFolder,
    followedIds,
    dispose,
  };
});
