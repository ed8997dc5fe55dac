import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { TrainConfig } from '@shared/config';
import type {
  InitFrom,
  ResumeRunRequest,
  RunSummary,
  TrainingEvent,
  TrainingState,
  Unsubscribe,
} from '@shared/contract';
import { IDLE_TRAINING_STATE } from '@shared/training-state';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';
import { followRun } from '../lib/follow-run';
import { errorMessage } from '../lib/format';
import { upsertMetrics } from '../lib/quality';
import { onReconnect } from '../lib/reconnect';
import { rememberedRun, rememberRun, runToShow } from '../lib/run-on-show';
import { useTrainingRates } from './training-rates';
import { useShownRun } from './training-shown';

/** The training process ended without finishing (crash, kill, out of memory). */
type DiedEvent = Extract<TrainingEvent, { type: 'died' }>;

/**
 * The training job and the run on show in the Train view: the backend's job
 * state, the run's stats and sample grids (history from `runs:*`, then live
 * from `training:event` for this studio's job, or from `runs:update` for a
 * run trained elsewhere: the CLI or another studio), warnings, failures, and
 * the controls.
 *
 * This file holds the job (its state, its events, the controls) and which run
 * is on show; the rest is one job a file: the run on show's data
 * (`training-shown.ts`) and the speed, ETA and progress (`training-rates.ts`).
 */
export const useTrainingStore = defineStore('training', () => {
  const state = ref<TrainingState>({ ...IDLE_TRAINING_STATE });
  /** Error line of a failed job, or of a control call. */
  const error = ref<string | null>(null);
  const died = shallowRef<DiedEvent | null>(null);
  /** How the last job ended, for a short notice. */
  const finished = ref<{ runId: string; status: 'finished' | 'stopped'; step: number } | null>(null);
  const busy = ref(false);
  let unsubscribers: Unsubscribe[] = [];

  const phase = computed(() => state.value.phase);
  const active = computed(() => state.value.phase !== 'idle');
  const running = computed(() => state.value.phase === 'running');
  const paused = computed(() => state.value.phase === 'paused');

  const shown = useShownRun({ active, error });
  const { runId, stats, events, metrics, warnings, notes, showRun, setShown } = shown;
  /** The run on show is the one training now. */
  const isLive = computed(() => active.value && state.value.runId !== null && state.value.runId === runId.value);
  const rates = useTrainingRates({ state, stats, isLive, running });

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
          // engine trains those steps again
          shown.cutBack(ev.step);
        }
        break;
      case 'steps':
        if (ev.runId !== runId.value || ev.stats.length === 0) break;
        shown.appendStats(ev.stats);
        break;
      case 'rollback':
        if (ev.runId !== runId.value) break;
        // the steps after the rollback's checkpoint are trained again, as on a resume
        shown.cutBack(ev.event.step);
        events.value = [...events.value, ev.event];
        break;
      case 'sample':
        if (ev.runId === runId.value) shown.addSample(ev.step, ev.dataUrl);
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

  // Follow the run on show unless it is this studio's job (whose events already stream in).
  let unfollow: Unsubscribe | null = null;
  watch(
    () => (runId.value && !isLive.value ? runId.value : null),
    (id) => {
      unfollow?.();
      unfollow = id ? followRun(getApi(), id, shown.onFollowUpdate) : null;
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
    samples: shown.samples,
    metrics,
    warnings,
    notes,
    error,
    died,
    finished,
    busy,
    loss: shown.loss,
    spread: shown.spread,
    phase,
    active,
    running,
    paused,
    isLive,
    health: shown.health,
    ...rates,
    init,
    dispose,
    showRun,
    showLastRun,
    loadSample: shown.loadSample,
    start,
    pause,
    resume,
    togglePause,
    stop,
    resumeRun,
    onEvent,
    onFollowUpdate: shown.onFollowUpdate,
  };
});
