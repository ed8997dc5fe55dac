import { computed, ref, shallowRef, type Ref } from 'vue';
import type { TrainConfig } from '@shared/config';
import type { MetricsPoint } from '@shared/metrics';
import type { RunEventLine, RunFollowUpdate, StepStats } from '@shared/contract';
import { getApi } from '../api/index';
import { errorMessage } from '../lib/format';
import { checkHealth, type HealthIssue, type SampleSpread } from '../lib/health';
import { measureGridSpread, spreadOnShow } from '../lib/sample-spread';
import { followedMetrics, upsertMetrics } from '../lib/quality';
import { upsertSample } from '../lib/timeline';

/** One saved grid of the run on show; `src` is null until fetched. */
interface RunSample {
  step: number;
  src: string | null;
}

/** What the run on show shares with the rest of the training store. */
export interface ShownRunContext {
  /** A job is active: a failed run's saved error is not put over it. */
  active: Readonly<Ref<boolean>>;
  /** The store's error line: failed loads land here. */
  error: Ref<string | null>;
}

/**
 * The run on show in the Train view (the live one, or one opened from Runs):
 * its history loaded from `runs:*`, the streamed steps, grids, evaluations and
 * rollbacks folded in (from this studio's job, or from a trainer elsewhere
 * through lib/follow-run), and what is read off them (health, sample spread).
 */
export function useShownRun(ctx: ShownRunContext) {
  /** The run whose curves and samples are shown (the live one, or one opened from Runs). */
  const runId = ref<string | null>(null);
  const stats = shallowRef<StepStats[]>([]);
  /** The run's events (rollbacks of training that recovered by itself), drawn as markers on the curves. */
  const events = shallowRef<RunEventLine[]>([]);
  const samples = shallowRef<RunSample[]>([]);
  /** The run's quality evaluations (metrics.jsonl, then live `metrics` events), ascending by step. */
  const metrics = shallowRef<MetricsPoint[]>([]);
  const warnings = ref<string[]>([]);
  /** Lines worth knowing that are not problems (`info` events, e.g. no held-out split on a tiny data set). */
  const notes = ref<string[]>([]);
  /** The loss of the run on show: it decides how its curves read (lib/loss-scale). */
  const loss = ref<TrainConfig['loss'] | null>(null);
  /** Tiles per row of the run's sample grids (its config's gridSize). */
  const gridColumns = ref<number | null>(null);
  /** How much each measured grid's tiles differ, by step (lib/sample-spread). */
  const spreads = shallowRef<ReadonlyMap<number, number>>(new Map());
  /** The newest grid's spread, with the highest of the earlier grids on the timeline (lib/sample-spread). */
  const spread = computed<SampleSpread | null>(() => spreadOnShow(samples.value, spreads.value));
  const health = computed<HealthIssue[]>(() => checkHealth(stats.value, undefined, spread.value));

  /** Measure a grid's spread (in the background; a page that cannot decode images skips it). */
  async function measureSpread(step: number, src: string): Promise<void> {
    const id = runId.value;
    const columns = gridColumns.value;
    if (!columns) return;
    const value = await measureGridSpread(src, columns);
    if (value === null || runId.value !== id || samples.value.find((s) => s.step === step)?.src !== src) return;
    spreads.value = new Map(spreads.value).set(step, value);
  }

  /** Append the steps past the last one known (a stream may repeat a step). */
  function appendStats(list: readonly StepStats[]): void {
    const last = stats.value[stats.value.length - 1]?.step ?? -1;
    const fresh = list.filter((s) => s.step > last);
    if (fresh.length) stats.value = [...stats.value, ...fresh];
  }

  /**
   * Drop what came after `step`: a resume or a rollback trains those steps
   * again, and a grid of the cut segment would show images the run never kept.
   */
  function cutBack(step: number): void {
    stats.value = stats.value.filter((s) => s.step <= step);
    events.value = events.value.filter((e) => e.step <= step);
    samples.value = samples.value.filter((s) => s.step <= step);
    metrics.value = metrics.value.filter((m) => m.step <= step);
  }

  /** A grid streamed in for `step`. */
  function addSample(step: number, src: string): void {
    samples.value = upsertSample(samples.value, { step, src });
    void measureSpread(step, src);
  }

  /** What the trainer of a run on show wrote, when this studio does not train it (lib/follow-run). */
  function onFollowUpdate(u: RunFollowUpdate): void {
    if (u.runId !== runId.value) return;
    if (u.reset) {
      // a resume or rollback elsewhere cut the run back: its file is the truth now
      stats.value = u.stats;
      events.value = u.events;
    } else {
      appendStats(u.stats);
      if (u.events.length) events.value = [...events.value, ...u.events];
    }
    if (u.metricsReset || u.metrics.length) metrics.value = followedMetrics(metrics.value, u);
    if (u.sampleSteps) {
      const known = new Map(samples.value.map((s) => [s.step, s.src]));
      samples.value = u.sampleSteps.map((step) => ({ step, src: known.get(step) ?? null }));
      const newest = samples.value[samples.value.length - 1];
      if (newest && !newest.src) void loadSample(newest.step);
    }
  }

  /** Put `id` on show with nothing of it loaded yet (null: no run on show). */
  function setShown(id: string | null): void {
    runId.value = id;
    stats.value = [];
    events.value = [];
    samples.value = [];
    metrics.value = [];
    warnings.value = [];
    notes.value = [];
    loss.value = null;
    gridColumns.value = null;
    spreads.value = new Map();
  }

  /** Show a run's history: its stats and the list of its sample grids (the newest fetched). */
  async function showRun(id: string): Promise<void> {
    const api = getApi();
    setShown(id);
    try {
      const [detail, history] = await Promise.all([api.getRun({ runId: id }), api.runStats({ runId: id })]);
      if (runId.value !== id) return;
      loss.value = detail.config.loss;
      gridColumns.value = detail.config.gridSize;
      // live steps may have arrived while loading: keep whichever reaches further
      const live = stats.value;
      const lastHist = history.stats[history.stats.length - 1]?.step ?? -1;
      stats.value = [...history.stats, ...live.filter((s) => s.step > lastHist)];
      events.value = [...(history.events ?? []), ...events.value.filter((e) => e.step > lastHist)];
      // live evaluations may have arrived while loading too
      metrics.value = metrics.value.reduce(upsertMetrics, history.metrics ?? []);
      let list: RunSample[] = detail.sampleSteps.map((step) => ({ step, src: null }));
      for (const s of samples.value) list = upsertSample(list, s);
      samples.value = list;
      if (detail.summary.status === 'failed' && detail.summary.error && !ctx.active.value)
        ctx.error.value = detail.summary.error;
      const newest = list[list.length - 1];
      if (newest && !newest.src) await loadSample(newest.step);
    } catch (e) {
      ctx.error.value = errorMessage(e);
    }
  }

  /** Fetch the grid of `step` of the run on show (for the timeline). */
  async function loadSample(step: number): Promise<void> {
    const id = runId.value;
    const known = samples.value.find((s) => s.step === step);
    if (!id || !known || known.src) return;
    try {
      const img = await getApi().runSample({ runId: id, step });
      if (runId.value === id) addSample(step, img.dataUrl);
    } catch (e) {
      ctx.error.value = errorMessage(e);
    }
  }

  return {
    runId,
    stats,
    events,
    samples,
    metrics,
    warnings,
    notes,
    loss,
    spread,
    health,
    appendStats,
    cutBack,
    addSample,
    setShown,
    showRun,
    loadSample,
    onFollowUpdate,
  };
}
