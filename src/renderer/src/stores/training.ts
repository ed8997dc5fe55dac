import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { TrainConfig } from '@shared/config';
import type { MetricsPoint } from '@shared/metrics';
import type {
  InitFrom,
  ResumeRunRequest,
  RunEventLine,
  RunFollowUpdate,
  RunSummary,
  StepStats,
  TrainingEvent,
  TrainingState,
  Unsubscribe,
} from '@shared/contract';
import { IDLE_TRAINING_STATE } from '@shared/training-state';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';
import { followRun } from '../lib/follow-run';
import { errorMessage, etaSeconds } from '../lib/format';
import { checkHealth, type HealthIssue, type SampleSpread } from '../lib/health';
import { measureGridSpread, spreadOnShow } from '../lib/sample-spread';
import { activeStepsPerSecond } from '../lib/speed';
import { followedMetrics, upsertMetrics } from '../lib/quality';
import { onReconnect } from '../lib/reconnect';
import { rememberedRun, rememberRun, runToShow } from '../lib/run-on-show';
import { upsertSample } from '../lib/timeline';

const IDLE_STATE = IDLE_TRAINING_STATE;

/** One saved grid of the run on show; `src` is null until fetched. */
interface RunSample {
  step: number;
  src: string | null;
}

/** The training process ended without finishing (crash, kill, out of memory). */
type DiedEvent = Extract<TrainingEvent, { type: 'died' }>;

/** Steps used for the speed and ETA estimate. */
const SPEED_WINDOW = 30;

/**
 * The training job and the run on show in the Train view: the backend's job
 * state, the run's stats and sample grids (history from `runs:*`, then live
 * from `training:event` for this studio's job, or from `runs:update` for a
 * run trained elsewhere: the CLI or another studio), warnings, failures, and
 * the controls.
 */
export const useTrainingStore = defineStore('training', () => {
  const state = ref<TrainingState>({ ...IDLE_STATE });
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
  /** Error line of a failed job, or of a control call. */
  const error = ref<string | null>(null);
  const died = shallowRef<DiedEvent | null>(null);
  /** How the last job ended, for a short notice. */
  const finished = ref<{ runId: string; status: 'finished' | 'stopped'; step: number } | null>(null);
  const busy = ref(false);
  /** The loss of the run on show: it decides how its curves read (lib/loss-scale). */
  const loss = ref<TrainConfig['loss'] | null>(null);
  /** Tiles per row of the run's sample grids (its config's gridSize). */
  const gridColumns = ref<number | null>(null);
  /** How much each measured grid's tiles differ, by step (lib/sample-spread). */
  const spreads = shallowRef<ReadonlyMap<number, number>>(new Map());
  /** The newest grid's spread, with the highest of the earlier grids on the timeline (lib/sample-spread). */
  const spread = computed<SampleSpread | null>(() => spreadOnShow(samples.value, spreads.value));
  let unsubscribers: Unsubscribe[] = [];

  const phase = computed(() => state.value.phase);
  const active = computed(() => state.value.phase !== 'idle');
  const running = computed(() => state.value.phase === 'running');
  const paused = computed(() => state.value.phase === 'paused');
  /** The run on show is the one training now. */
  const isLive = computed(() => active.value && state.value.runId !== null && state.value.runId === runId.value);

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

  /** Images per second, averaged over the last steps. */
  const imgPerSec = computed(() => {
    const recent = stats.value.slice(-SPEED_WINDOW).filter((s) => Number.isFinite(s.imgPerSec));
    if (recent.length === 0) return 0;
    return recent.reduce((a, s) => a + s.imgPerSec, 0) / recent.length;
  });

  /** Steps per second over the last steps, pauses and the time before a resume left out. */
  const stepsPerSec = computed(() => activeStepsPerSecond(stats.value, SPEED_WINDOW));

  /** Seconds to the end of the live run; null when unknown. */
  const eta = computed(() =>
    isLive.value && running.value ? etaSeconds(state.value.steps - state.value.step, stepsPerSec.value) : null,
  );

  /** Fraction of the run trained, for the progress bar. */
  const progress = computed(() => {
    const steps = isLive.value ? state.value.steps : 0;
    const step = isLive.value ? state.value.step : (stats.value[stats.value.length - 1]?.step ?? 0);
    return steps > 0 ? Math.min(1, step / steps) : 0;
  });

  function onEvent(ev: TrainingEvent): void {
    switch (ev.type) {
      case 'started':
        died.value = null;
        error.value = null;
        finished.value = null;
        if (runId.value !== ev.runId) {
          void showRun(ev.runId);
        } else if (ev.resumedFrom !== null) {
          // a resume drops stats and sample grids after the checkpoint: the
          // engine trains those steps again, and a grid of the killed segment
          // would show images the resumed run never made
          stats.value = stats.value.filter((s) => s.step <= ev.step);
          events.value = events.value.filter((e) => e.step <= ev.step);
          samples.value = samples.value.filter((s) => s.step <= ev.step);
          metrics.value = metrics.value.filter((m) => m.step <= ev.step);
        }
        break;
      case 'steps':
        if (ev.runId !== runId.value || ev.stats.length === 0) break;
        {
          const last = stats.value[stats.value.length - 1]?.step ?? -1;
          const fresh = ev.stats.filter((s) => s.step > last);
          if (fresh.length) stats.value = [...stats.value, ...fresh];
        }
        break;
      case 'rollback':
        if (ev.runId !== runId.value) break;
        // the steps after the rollback's checkpoint are trained again, as on a resume
        stats.value = stats.value.filter((s) => s.step <= ev.event.step);
        samples.value = samples.value.filter((s) => s.step <= ev.event.step);
        metrics.value = metrics.value.filter((m) => m.step <= ev.event.step);
        events.value = [...events.value.filter((e) => e.step <= ev.event.step), ev.event];
        break;
      case 'sample':
        if (ev.runId === runId.value) {
          samples.value = upsertSample(samples.value, { step: ev.step, src: ev.dataUrl });
          void measureSpread(ev.step, ev.dataUrl);
        }
        break;
      case 'warning':
        warnings.value = [...warnings.value, ev.message];
        break;
      case 'info':
        notes.value = [...notes.value, ev.message];
        break;
      case 'metrics':
        if (ev.runId === runId.value) metrics.value = upsertMetrics(metrics.value, ev.metrics);
        break;
      case 'error':
        error.value = ev.message;
        break;
      case 'died':
        died.value = ev;
        break;
      case 'done':
        finished.value = { runId: ev.runId, status: ev.status, step: ev.step };
        break;
      default:
        break;
    }
  }

  /** What the trainer of a run on show wrote, when this studio does not train it (lib/follow-run). */
  function onFollowUpdate(u: RunFollowUpdate): void {
    if (u.runId !== runId.value) return;
    if (u.reset) {
      // a resume or rollback elsewhere cut the run back: its file is the truth now
      stats.value = u.stats;
      events.value = u.events;
    } else {
      const last = stats.value[stats.value.length - 1]?.step ?? -1;
      const fresh = u.stats.filter((s) => s.step > last);
      if (fresh.length) stats.value = [...stats.value, ...fresh];
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

  // Follow the run on show unless it is this studio's job (whose events already stream in).
  let unfollow: Unsubscribe | null = null;
  watch(
    () => (runId.value && !isLive.value ? runId.value : null),
    (id) => {
      unfollow?.();
      unfollow = id ? followRun(getApi(), id, onFollowUpdate) : null;
    },
    { flush: 'sync' },
  );

  // a reload of this tab shows the same run again (showLastRun)
  watch(runId, (id) => rememberRun(id));

  /**
   * With no job and no run on show (a reload, a fresh studio), or when the run
   * on show was in `before` (the previous Runs list) and is not in `list` (it
   * was deleted): show the run this tab showed last, else one another process
   * trains, else the one that ended last (lib/run-on-show), so the view opens
   * on its curves, samples and status.
   */
  async function showLastRun(list: readonly RunSummary[], before: readonly RunSummary[] = []): Promise<void> {
    if (active.value) return;
    const listed = (l: readonly RunSummary[]) => l.some((r) => r.id === runId.value);
    // the run on show was deleted (in Runs, or its folder by hand): its curves go with it. Only a run
    // the previous list had counts: one shown before the list first loads is not gone.
    const deleted = runId.value !== null && listed(before) && !listed(list);
    if (runId.value && !deleted) return;
    if (deleted) {
      rememberRun(null);
      finished.value = null;
      error.value = null;
      setShown(null);
    }
    const id = runToShow(list, rememberedRun());
    if (id) await showRun(id);
  }

  /**
   * Take the backend's job state; returns the job's run when it should go on
   * show now. It does when the job gets its run (a start, a resume), not on
   * every later state: a run opened from Runs while the job trains stays on show.
   */
  function applyState(s: TrainingState): string | null {
    const jobRun = s.phase !== 'idle' && s.runId !== state.value.runId ? s.runId : null;
    state.value = s;
    return jobRun && runId.value !== jobRun ? jobRun : null;
  }

  /**
   * The link came back (serve restarted): the job may have ended with the old
   * server, or another begun, and steps of the run on show went by unseen.
   * Read the job state and the run on show again.
   */
  async function resync(): Promise<void> {
    try {
      const id = applyState(await getApi().trainingState()) ?? runId.value;
      if (id) await showRun(id);
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Load the job state and listen for training events (idempotent). */
  async function init(): Promise<void> {
    const api = getApi();
    if (unsubscribers.length === 0) {
      unsubscribers = [
        api.onTrainingEvent(onEvent),
        api.onTrainingState((s) => {
          const next = applyState(s);
          if (next) void showRun(next);
        }),
        onReconnect(api, () => void resync()),
      ];
    }
    try {
      state.value = await api.trainingState();
      if (state.value.runId && !runId.value) await showRun(state.value.runId);
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Stop listening (tests, teardown). */
  function dispose(): void {
    for (const u of unsubscribers) u();
    unsubscribers = [];
    unfollow?.();
    unfollow = null;
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
      if (detail.summary.status === 'failed' && detail.summary.error && !active.value)
        error.value = detail.summary.error;
      const newest = list[list.length - 1];
      if (newest && !newest.src) await loadSample(newest.step);
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Fetch the grid of `step` of the run on show (for the timeline). */
  async function loadSample(step: number): Promise<void> {
    const id = runId.value;
    const known = samples.value.find((s) => s.step === step);
    if (!id || !known || known.src) return;
    try {
      const img = await getApi().runSample({ runId: id, step });
      if (runId.value === id) {
        samples.value = upsertSample(samples.value, { step, src: img.dataUrl });
        void measureSpread(step, img.dataUrl);
      }
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  const control = <T>(fn: () => Promise<T>): Promise<T | null> => guarded(busy, error, fn);

  /** Start a new run with a full config; `initFrom` fine-tunes it from a checkpoint's weights. */
  async function start(config: TrainConfig | Record<string, unknown>, initFrom?: InitFrom): Promise<string | null> {
    died.value = null;
    finished.value = null;
    const res = await control(() =>
      getApi().startTraining({ config: config as TrainConfig, ...(initFrom ? { initFrom } : {}) }),
    );
    if (res)
      state.value = {
        ...state.value,
        phase: state.value.phase === 'idle' ? 'starting' : state.value.phase,
        jobId: res.jobId,
      };
    return res?.jobId ?? null;
  }

  async function pause(): Promise<void> {
    const s = await control(() => getApi().pauseTraining());
    if (s) state.value = s;
  }

  async function resume(): Promise<void> {
    const s = await control(() => getApi().resumeTraining());
    if (s) state.value = s;
  }

  /** Pause when running, resume when paused. */
  async function togglePause(): Promise<void> {
    if (running.value) await pause();
    else if (paused.value) await resume();
  }

  /** Stop after the current step (a checkpoint is saved). */
  async function stop(): Promise<void> {
    const s = await control(() => getApi().stopTraining());
    if (s) state.value = s;
  }

  /** Continue a run from its newest checkpoint (also after its process died). */
  async function resumeRun(id: string, changes?: ResumeRunRequest['changes']): Promise<string | null> {
    died.value = null;
    finished.value = null;
    if (runId.value !== id) await showRun(id);
    const res = await control(() => getApi().resumeRun({ runId: id, changes }));
    return res?.jobId ?? null;
  }

  return {
    state,
    runId,
    stats,
    events,
    samples,
    metrics,
    warnings,
    notes,
    error,
    died,
    finished,
    busy,
    loss,
    spread,
    phase,
    active,
    running,
    paused,
    isLive,
    health,
    imgPerSec,
    stepsPerSec,
    eta,
    progress,
    init,
    dispose,
    showRun,
    showLastRun,
    loadSample,
    start,
    pause,
    resume,
    togglePause,
    stop,
    resumeRun,
    onEvent,
    onFollowUpdate,
  };
});
