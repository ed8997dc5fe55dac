/** Run folders under the studio's runs root, named by their folder name (`runId`), never by a path. */
import { z } from 'zod';
import type { TrainConfig } from '../config';
import type { MetricsPoint } from '../metrics';
import type { RunEventLine, StepStats } from '../stats';
import type { RunStatus } from '../run';
import { runId } from './common';
import type { SkippedFileInfo } from './datasets';
import { returns, type OperationTable } from './operation';

export type { RollbackEvent, RunEventLine, StepStats } from '../stats';
export type { MetricsPoint } from '../metrics';

/** Status of a run (defined in src/shared/run.ts); resume an `interrupted` one with `training:resume-run`. */
export type { RunStatus } from '../run';

export interface RunSummary {
  id: string;
  name: string;
  /** Absolute path of the run folder. */
  dir: string;
  status: RunStatus;
  /** Error line of a failed run. */
  error: string | null;
  /**
   * What is wrong with a damaged or half-made run folder (no or a broken
   * config.json), null for a sound run. Such a run is listed so it can be
   * repaired (`runs:repair`) or deleted; it cannot be resumed, and `runs:get`
   * refuses it with this line.
   */
  problem: string | null;
  preset: string;
  /** Last step reached (from status.json or the newest checkpoint). */
  step: number;
  /** Steps the run is set to train. */
  steps: number;
  resolution: number;
  channels: number;
  backend: string;
  /** Data folder; null for the demo set. */
  dataDir: string | null;
  createdAt: string;
  updatedAt: string;
  /** Step of the newest sample grid (`runs:sample` fetches it), null when none. */
  lastSampleStep: number | null;
  /** Step of the newest checkpoint, null when none. */
  lastCheckpointStep: number | null;
  checkpointCount: number;
  /** A training process is working on it right now. */
  live: boolean;
  /** True when `training:resume-run` can continue it (not live, has steps left or can train more). */
  resumable: boolean;
}

export interface CheckpointInfo {
  step: number;
  savedAt: string | null;
  backend: string | null;
  /** Step of the sample grid closest to (at or before) this checkpoint, for its thumbnail; null when none. */
  sampleStep: number | null;
}

export interface RunDetail {
  summary: RunSummary;
  config: TrainConfig;
  /** The dataset import report saved with the run; null when missing. */
  importReport: {
    root: string;
    imported: number;
    skipped: SkippedFileInfo[];
    classNames: string[];
    classCounts: number[];
    preprocessing: string;
  } | null;
  /** Every step with a saved sample grid, ascending (the timeline slider). */
  sampleSteps: number[];
  checkpoints: CheckpointInfo[];
}

export interface RunStatsResult {
  runId: string;
  /** Ascending by step. With `maxPoints`, evenly thinned (always keeps the last). */
  stats: StepStats[];
  /** Lines in stats.jsonl from `fromStep` on, before thinning. */
  total: number;
  /** Events of the run after `fromStep` (rollbacks of training that recovered by itself), ascending; drawn as markers. Absent: none. */
  events?: RunEventLine[];
  /** The run's quality evaluations (metrics.jsonl) after `fromStep`, ascending, never thinned. Absent: none. */
  metrics?: MetricsPoint[];
}

export interface SampleImage {
  runId: string;
  step: number;
  dataUrl: string;
  width: number;
  height: number;
}

export interface ConfigDiffEntry {
  /** Dotted option path. */
  path: string;
  a: unknown;
  b: unknown;
}

/** Which checkpoint of which run: the newest when `step` is null or left out. */
export interface CheckpointRef {
  runId: string;
  step?: number | null;
}

export const CheckpointRefSchema = z.object({ runId, step: z.number().int().min(0).nullable().optional() }).strict();

export const RunIdRequestSchema = z.object({ runId }).strict();
export type RunIdRequest = z.infer<typeof RunIdRequestSchema>;

export const RunStatsRequestSchema = z
  .object({
    runId,
    /** Only steps > fromStep (for incremental updates). */
    fromStep: z.number().int().min(0).optional(),
    /** Thin evenly to at most this many points. */
    maxPoints: z.number().int().min(10).max(1_000_000).optional(),
  })
  .strict();
export type RunStatsRequest = z.infer<typeof RunStatsRequestSchema>;

export const RunSampleRequestSchema = z
  .object({
    runId,
    /** Newest when left out. */
    step: z.number().int().min(0).optional(),
    /** Downscale so the longer side is at most this (thumbnails). */
    maxSize: z.number().int().min(16).max(4096).optional(),
  })
  .strict();
export type RunSampleRequest = z.infer<typeof RunSampleRequestSchema>;

export const RunDiffRequestSchema = z.object({ a: runId, b: runId }).strict();
export type RunDiffRequest = z.infer<typeof RunDiffRequestSchema>;

/**
 * A page following a run (its curves, samples and status, wherever it is
 * trained: this studio, the CLI or another studio). `followerId` is any
 * string the page makes up; calling again renews the lease, which runs out
 * after `leaseMs` without a renewal (a page that went away without saying so).
 */
export const RunFollowRequestSchema = z.object({ runId, followerId: z.string().min(1).max(100) }).strict();
export type RunFollowRequest = z.infer<typeof RunFollowRequestSchema>;

export interface RunFollowLease {
  /** Renew (call `runs:follow` again) well before this many ms pass. */
  leaseMs: number;
}

/**
 * What changed in a followed run's folder since the last update (the
 * `runs:update` event). Step lines come in order, only whole lines; a change
 * of status, checkpoints or samples also sends `runs:changed` for the run.
 */
export interface RunFollowUpdate {
  runId: string;
  /**
   * stats.jsonl was rewritten (a resume or a rollback cut it back to a
   * checkpoint): `stats` and `events` hold the whole file, and what the page
   * had after them is gone.
   */
  reset: boolean;
  /** New step lines (all of them on a reset), ascending. */
  stats: StepStats[];
  /** New event lines (rollbacks). */
  events: RunEventLine[];
  /** metrics.jsonl was rewritten (a resume cut it back): `metrics` holds the whole file. */
  metricsReset: boolean;
  /** New quality evaluations (lines of metrics.jsonl; all of them on a metrics reset), ascending. */
  metrics: MetricsPoint[];
  /** Every saved sample grid step, ascending, when that list changed; null when it did not. */
  sampleSteps: number[] | null;
  /** Every checkpoint step, ascending, when that list changed; null when it did not. */
  checkpointSteps: number[] | null;
  /** The run's status, when it changed (e.g. `interrupted` once its trainer died); null when it did not. */
  status: RunStatus | null;
}

export const RepairRunRequestSchema = z
  .object({
    runId,
    /** false: only list what would be done (nothing changes); true: do it. */
    apply: z.boolean(),
  })
  .strict();
export type RepairRunRequest = z.infer<typeof RepairRunRequestSchema>;

/** What a repair did, or would do (src/engine/run/repair.ts); it never deletes weights. */
export interface RunRepairResult {
  runId: string;
  /** In order; `kind` names the repair (stale-lock, leftovers, partial-checkpoint, damaged-checkpoint, restore-checkpoint, config, run-file, stats, status). */
  actions: { kind: string; description: string }[];
  /** Problems a repair cannot fix, one line each. */
  unrepairable: string[];
  /** False for the dry run. */
  applied: boolean;
}

export const runsOperations = {
  'runs:list': { method: 'listRuns', request: undefined, result: returns<RunSummary[]>() },
  'runs:get': { method: 'getRun', request: RunIdRequestSchema, result: returns<RunDetail>() },
  'runs:stats': { method: 'runStats', request: RunStatsRequestSchema, result: returns<RunStatsResult>() },
  'runs:sample': { method: 'runSample', request: RunSampleRequestSchema, result: returns<SampleImage>() },
  /** Options that differ between two runs' configs (dotted paths, sorted). */
  'runs:diff': { method: 'diffRuns', request: RunDiffRequestSchema, result: returns<ConfigDiffEntry[]>() },
  /** Deletes a run folder (the UI asks for confirmation first). Rejects while it trains. */
  'runs:delete': { method: 'deleteRun', request: RunIdRequestSchema, result: returns<void>() },
  /** Repairs a damaged or interrupted run (`apply: false` only lists what it would do). Rejects while it trains. */
  'runs:repair': { method: 'repairRun', request: RepairRunRequestSchema, result: returns<RunRepairResult>() },
  /** Start (or renew) following a run: `runs:update` events report what its trainer writes. */
  'runs:follow': { method: 'followRun', request: RunFollowRequestSchema, result: returns<RunFollowLease>() },
  /** Stop following; the folder is no longer watched once no follower is left. */
  'runs:unfollow': { method: 'unfollowRun', request: RunFollowRequestSchema, result: returns<void>() },
} as const satisfies OperationTable;
