import type { TrainingState } from './contract';

/** No job: what the studio backend reports between runs, and where the UI starts. */
export const IDLE_TRAINING_STATE: Readonly<TrainingState> = Object.freeze({
  phase: 'idle',
  jobId: null,
  runId: null,
  step: 0,
  steps: 0,
  backend: null,
  importProgress: null,
  startedAt: null,
  stepsThisJob: 0,
});
