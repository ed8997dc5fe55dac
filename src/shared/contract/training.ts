/**
 * Training: the config form (schema, presets, validation), the one training
 * job the studio runs at a time, and the events it sends.
 */
import { z } from 'zod';
import { TrainConfigSchema, type TrainConfig } from '../config';
import { RUN_CONTROL_KEYS, type RunControlKey } from '../run';
import type { MetricsPoint } from '../metrics';
import type { RollbackEvent, StepStats } from '../stats';
import { runId } from './common';
import { CheckpointRefSchema } from './runs';
import type { DatasetSummary } from './datasets';
import { returns, type OperationTable } from './operation';

/** One field-group of the config form. */
export interface ConfigGroup {
  /** 'run', 'data', 'model', 'g', 'd', 'ema', 'output', …; nested groups equal the config key. */
  id: string;
  title: string;
  /** One line under the section title. */
  description: string;
  /** Dotted option paths in display order, e.g. ['model.resolution', 'model.baseWidth']. */
  fields: string[];
}

export interface PresetInfo {
  name: string;
  description: string;
  /** The preset resolved with every default: what the form starts from. */
  config: TrainConfig;
}

/** `config:schema`: everything the generated hyperparameter form needs. */
export interface ConfigSchemaInfo {
  /**
   * JSON Schema (draft 2020-12) of the config, input side (defaults present,
   * fields optional), from z.toJSONSchema(TrainConfigSchema). Every property
   * has a `description`: what it does and when it helps.
   */
  jsonSchema: Record<string, unknown>;
  /** Field groups covering every option of jsonSchema. */
  groups: ConfigGroup[];
  presets: PresetInfo[];
  /** The preset a new run starts from. */
  defaultPreset: string;
  /** Options a resumed run may change (`training:resume-run` `changes`). */
  resumableKeys: string[];
}

export interface ConfigIssue {
  /** Dotted option path ('g.lr'), '' for the whole config. */
  path: string;
  message: string;
}

/** `config:resolve`: a config checked against the schema. */
export type ConfigCheck =
  | { ok: true; config: TrainConfig }
  | {
      ok: false;
      /** One line naming the first bad option, as the CLI prints it. */
      error: string;
      /** Every problem, for inline validation next to each field. */
      issues: ConfigIssue[];
    };

export type TrainingPhase = 'idle' | 'importing' | 'starting' | 'running' | 'paused' | 'stopping';

/** `training:state` and the `training:state` event: the one training job the studio runs at a time. */
export interface TrainingState {
  phase: TrainingPhase;
  /** Id of the current job, null when idle. */
  jobId: string | null;
  /** Run folder id; null while a new run is still importing its data. */
  runId: string | null;
  step: number;
  steps: number;
  /** Backend the job trains on, once known. */
  backend: string | null;
  /** Dataset import progress while importing. */
  importProgress: { phase: 'scan' | 'decode' | 'cache'; done: number; total: number } | null;
  /** ms since the epoch when the job started. */
  startedAt: number | null;
  /** Steps trained since this job started, for the ETA. */
  stepsThisJob: number;
}

export type TrainingEvent =
  | { type: 'import-progress'; jobId: string; phase: 'scan' | 'decode' | 'cache'; done: number; total: number }
  | { type: 'imported'; jobId: string; dataset: DatasetSummary }
  | {
      type: 'started';
      jobId: string;
      runId: string;
      step: number;
      steps: number;
      backend: string;
      resumedFrom: number | null;
    }
  /** Steps since the previous event, batched (at most a few events per second). */
  | { type: 'steps'; jobId: string; runId: string; stats: StepStats[] }
  | { type: 'sample'; jobId: string; runId: string; step: number; dataUrl: string }
  | { type: 'checkpoint'; jobId: string; runId: string; step: number }
  | { type: 'warning'; jobId: string; runId: string | null; message: string }
  /** Something worth knowing that is not a problem (e.g. a data set too small to hold images out for the metrics). */
  | { type: 'info'; jobId: string; runId: string | null; message: string }
  /** A quality evaluation (a new line of the run's metrics.jsonl). */
  | { type: 'metrics'; jobId: string; runId: string; metrics: MetricsPoint }
  /** Training diverged and rolled back by itself (recovery); stats after `event.step` are trained again. */
  | { type: 'rollback'; jobId: string; runId: string; event: RollbackEvent }
  | { type: 'paused'; jobId: string; runId: string; step: number }
  | { type: 'resumed'; jobId: string; runId: string; step: number }
  | { type: 'done'; jobId: string; runId: string; step: number; status: 'finished' | 'stopped' }
  /** Training failed with an error the user can read (bad data, divergence, …); the process ended cleanly. */
  | { type: 'error'; jobId: string; runId: string | null; message: string }
  /**
   * The training process died (crash, out of memory, killed). `reason` is one
   * line for the user; the run can continue from `lastCheckpointStep` with
   * `training:resume-run` when `canResume`.
   */
  | {
      type: 'died';
      jobId: string;
      runId: string | null;
      reason: string;
      exitCode: number | null;
      signal: string | null;
      lastCheckpointStep: number | null;
      canResume: boolean;
    };

export const ConfigResolveRequestSchema = z
  .object({
    /** Start from this preset (schema defaults when left out). */
    preset: z.string().max(100).optional(),
    /** A full or partial config (the form's values); merged over the preset. */
    config: z.record(z.string(), z.unknown()).optional(),
    /** `key=value` strings as on the command line, applied last. */
    sets: z.array(z.string().max(1000)).max(200).optional(),
  })
  .strict();
export type ConfigResolveRequest = z.infer<typeof ConfigResolveRequestSchema>;

/** Fine-tuning: start the new run from a checkpoint's weights (`--init-from`); its architecture must match. */
export const InitFromSchema = CheckpointRefSchema.extend({
  /** Carry G's and D's optimizer state too (`--init-optimizer`). */
  optimizer: z.boolean().optional(),
  /** Keep its ADA probability instead of restarting it (`--init-ada`). */
  ada: z.boolean().optional(),
}).strict();
export type InitFrom = z.infer<typeof InitFromSchema>;

export const TrainingStartRequestSchema = z
  .object({
    /** The config to train (validated with the engine's TrainConfigSchema). `data.dir` must be a chosen folder or null (demo). */
    config: TrainConfigSchema,
    initFrom: InitFromSchema.optional(),
  })
  .strict();
export type TrainingStartRequest = z.input<typeof TrainingStartRequestSchema>;

type ConfigShape = typeof TrainConfigSchema.shape;
/** The config's own checks for the run-control keys, each optional (no default: a missing key keeps the run's value). */
const runControlShape = Object.fromEntries(
  RUN_CONTROL_KEYS.map((k) => [k, TrainConfigSchema.shape[k].unwrap().optional()]),
) as {
  [K in RunControlKey]: z.ZodOptional<ReturnType<ConfigShape[K]['unwrap']>>;
};
export const ResumableChangesSchema = z.object(runControlShape).strict();
export type ResumableChanges = z.infer<typeof ResumableChangesSchema>;

export const ResumeRunRequestSchema = z.object({ runId, changes: ResumableChangesSchema.optional() }).strict();
export type ResumeRunRequest = z.infer<typeof ResumeRunRequestSchema>;

export const trainingOperations = {
  'config:schema': { method: 'configSchema', request: undefined, result: returns<ConfigSchemaInfo>() },
  /** Preset < config < sets, validated. Never rejects for a bad config: answers ok: false with the issues. */
  'config:resolve': { method: 'resolveConfig', request: ConfigResolveRequestSchema, result: returns<ConfigCheck>() },

  'training:state': { method: 'trainingState', request: undefined, result: returns<TrainingState>() },
  /** Starts a new run in a training process. One job at a time: rejects while one is active. */
  'training:start': {
    method: 'startTraining',
    request: TrainingStartRequestSchema,
    result: returns<{ jobId: string }>(),
  },
  /** Pauses between steps (the process keeps its state). */
  'training:pause': { method: 'pauseTraining', request: undefined, result: returns<TrainingState>() },
  /** Continues a paused job. */
  'training:resume': { method: 'resumeTraining', request: undefined, result: returns<TrainingState>() },
  /** Stops after the current step with a checkpoint; `done` (status 'stopped') follows. */
  'training:stop': { method: 'stopTraining', request: undefined, result: returns<TrainingState>() },
  /** Continues a run from its newest checkpoint in a new training process (also after the process died). */
  'training:resume-run': { method: 'resumeRun', request: ResumeRunRequestSchema, result: returns<{ jobId: string }>() },
} as const satisfies OperationTable;
