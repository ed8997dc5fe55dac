import { describe, expect, it } from 'vitest';
import { computed, ref } from 'vue';
import type { StepStats, TrainingState } from '@shared/contract';
import { IDLE_TRAINING_STATE } from '@shared/training-state';
import { useTrainingRates } from '@renderer/stores/training-rates';
import { runningJob, stat } from '../fixtures';

function rates(state: TrainingState, stats: StepStats[], live: boolean) {
  const s = ref(state);
  return useTrainingRates({
    state: s,
    stats: ref(stats),
    isLive: computed(() => live),
    running: computed(() => s.value.phase === 'running'),
  });
}

describe('training rates', () => {
  it('the live run: progress and ETA from the job, speed from the last steps', () => {
    const r = rates(runningJob('00001-run', 40, 100), [stat(38), stat(39), stat(40)], true);
    expect(r.progress.value).toBeCloseTo(0.4);
    expect(r.stepsPerSec.value).toBeCloseTo(10); // 100 ms per step
    expect(r.eta.value).toBeCloseTo(6);
    expect(r.imgPerSec.value).toBe(500);
  });

  it('a run not training here: no ETA and no progress to show, images per second skip non-finite steps', () => {
    const r = rates(
      { ...IDLE_TRAINING_STATE },
      [stat(1), stat(2, { imgPerSec: Number.NaN }), stat(3, { imgPerSec: 300 })],
      false,
    );
    expect(r.eta.value).toBeNull();
    expect(r.progress.value).toBe(0);
    expect(r.imgPerSec.value).toBe(400);
  });

  it('no steps yet: zero speed', () => {
    const r = rates(runningJob('00001-run', 0, 100), [], true);
    expect(r.imgPerSec.value).toBe(0);
    expect(r.progress.value).toBe(0);
  });
});
