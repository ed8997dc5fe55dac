/** Sample values the store tests share: step stats, run summaries and run details, a training job's state. */
import { TrainConfigSchema } from '@shared/config';
import type { DatasetSummary, MetricsPoint, RunDetail, RunSummary, StepStats, TrainingState } from '@shared/contract';

export const stat = (step: number, extra: Partial<StepStats> = {}): StepStats => ({
  step,
  lossD: 1.3,
  lossG: 0.8,
  dReal: 0.6,
  dFake: 0.4,
  gradNormD: 2,
  gradNormG: 1,
  imgPerSec: 500,
  time: 1_000_000 + step * 100,
  ...extra,
});

/** One quality evaluation (a metrics.jsonl line). */
export const metricsPoint = (step: number, extra: Partial<MetricsPoint> = {}): MetricsPoint => ({
  step,
  swd: 100,
  swdLevels: [90, 110],
  swdSizes: [28, 14],
  kid: 20,
  diversity: 0.9,
  samples: 256,
  reals: 300,
  seconds: 2,
  heldout: true,
  time: 1_000_000 + step * 100,
  ...extra,
});

export const summary = (id: string, extra: Partial<RunSummary> = {}): RunSummary => ({
  id,
  name: 'run',
  dir: `/tmp/runs/${id}`,
  status: 'finished',
  error: null,
  problem: null,
  preset: 'dcgan-28',
  step: 300,
  steps: 300,
  resolution: 28,
  channels: 1,
  backend: 'wasm',
  dataDir: null,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  lastSampleStep: 300,
  lastCheckpointStep: 300,
  checkpointCount: 1,
  live: false,
  resumable: true,
  ...extra,
});

export const detail = (id: string, sampleSteps: number[]): RunDetail => ({
  summary: summary(id),
  config: TrainConfigSchema.parse({}),
  importReport: null,
  sampleSteps,
  checkpoints: [{ step: 300, savedAt: null, backend: 'wasm', sampleStep: 300 }],
});

export const datasetSummary = (extra: Partial<DatasetSummary> = {}): DatasetSummary => ({
  id: 'ds1',
  dir: null,
  root: '/demo',
  options: { resolution: 28, channels: 1, resize: 'crop', background: '#ffffff', minSize: 8 },
  count: 60_000,
  filesSeen: 60_002,
  ignored: 0,
  skippedCount: 2,
  skipped: [{ file: 'a.png', reason: 'empty file (0 bytes)' }],
  classNames: [],
  classCounts: [],
  sourceSizes: null,
  sourceChannels: { gray: 60_000, grayAlpha: 0, rgb: 0, rgba: 0, other: 0 },
  formats: { png: 60_000 },
  preprocessing: 'crop',
  warnings: [],
  fromCache: false,
  durationMs: 10,
  importedAt: '',
  ...extra,
});

/** The studio's own job training `runId`, at `step` of `steps`, every one of those steps trained by this job. */
export const runningJob = (
  runId: string,
  step: number,
  steps: number,
  extra: Partial<TrainingState> = {},
): TrainingState => ({
  phase: 'running',
  jobId: 'j',
  runId,
  step,
  steps,
  backend: 'wasm',
  importProgress: null,
  startedAt: 1,
  stepsThisJob: step,
  ...extra,
});
