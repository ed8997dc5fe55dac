/** Messages between the studio backend and its worker processes. */
import type { TrainConfig } from '../../shared/config';
import type { ResumableChanges, TaskProgress, TrainingEvent } from '../../shared/contract';

// --- training worker -------------------------------------------------------

/** `--init-from` a checkpoint folder, with what to carry besides the weights. */
export interface InitFromDir {
  dir: string;
  optimizer?: boolean;
  ada?: boolean;
}

export type TrainingCommand =
  | {
      type: 'start';
      jobId: string;
      mode: 'new';
      runsRoot: string;
      config: TrainConfig;
      /** Fine-tuning: the checkpoint folder to start from (resolved by the backend from a run id and step). */
      initFrom?: InitFromDir;
    }
  /** The worker plans the resume itself (the run's config.json plus `changes`), under the run's lock. */
  | { type: 'start'; jobId: string; mode: 'resume'; runDir: string; changes: ResumableChanges }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type TrainingReport =
  | { type: 'ready'; pid: number }
  | { type: 'backend'; name: string; why: string }
  | { type: 'event'; event: Exclude<TrainingEvent, { type: 'died' }> }
  /** The job is over (after its done/error event); the process exits next. */
  | { type: 'finished' };

// --- tools worker ----------------------------------------------------------

export interface ToolsCall {
  type: 'call';
  id: number;
  method: string;
  args: unknown;
}

export interface ToolsCancel {
  type: 'cancel';
  taskId: string;
}

export type ToolsRequest = ToolsCall | ToolsCancel;

export type ToolsReply =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string } }
  | { type: 'progress'; progress: TaskProgress };
