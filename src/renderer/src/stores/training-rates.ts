import { computed, type Ref } from 'vue';
import type { StepStats, TrainingState } from '@shared/contract';
import { etaSeconds } from '../lib/format';
import { activeStepsPerSecond } from '../lib/speed';

/** Steps used for the speed and ETA estimate. */
const SPEED_WINDOW = 30;

/** What the rates are read from: the job's state and the stats of the run on show. */
export interface RatesContext {
  state: Readonly<Ref<TrainingState>>;
  stats: Readonly<Ref<readonly StepStats[]>>;
  /** The run on show is the job's run. */
  isLive: Readonly<Ref<boolean>>;
  running: Readonly<Ref<boolean>>;
}

/** The Train view's speed, ETA and progress: of the job when its run is on show, else of the run's stats. */
export function useTrainingRates(ctx: RatesContext) {
  const { state, stats, isLive, running } = ctx;

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

  return { imgPerSec, stepsPerSec, eta, progress };
}
