/**
 * Pushes from the backend to the renderer (fire and forget): one table of
 * event channel → `GanStudioApi` listener method and payload type.
 *
 * Zod-free (types only from the other domain files), because the sandboxed
 * preload builds its listeners from this table.
 */
import { returns } from './operation';
import type { RunFollowUpdate } from './runs';
import type { TrainingEvent, TrainingState } from './training';

export type TaskKind = 'import' | 'preview' | 'export' | 'generate' | 'interpolation';

/** Progress of a long operation that was given a `taskId`. */
export interface TaskProgress {
  taskId: string;
  kind: TaskKind;
  /** e.g. 'scan', 'decode', 'cache', 'load', 'write', 'encode'. */
  phase: string;
  done: number;
  total: number;
}

export interface RunsChanged {
  /** null: the whole list may have changed. */
  runId: string | null;
  reason: 'created' | 'updated' | 'deleted';
}

/** Browser mode's link to the server (always connected in the desktop app). */
export interface ConnectionState {
  connected: boolean;
  /** Reconnect attempts since the link dropped (0 when connected). */
  attempt: number;
  /** Why the link is down, when it is. */
  error: string | null;
  /**
   * The server refused this page's access token (started with --new-token
   * since, or a wrong address): reconnecting has stopped, since it cannot
   * succeed; the page must be opened again with the address serve prints.
   */
  refused?: boolean;
}

/** Removes the listener it was returned for. Safe to call more than once. */
export type Unsubscribe = () => void;

export const EVENTS = {
  /** The app window gained or lost focus (desktop only). */
  'window:focus-changed': { method: 'onWindowFocusChanged', payload: returns<{ focused: boolean }>() },
  'training:event': { method: 'onTrainingEvent', payload: returns<TrainingEvent>() },
  'training:state': { method: 'onTrainingState', payload: returns<TrainingState>() },
  'task:progress': { method: 'onTaskProgress', payload: returns<TaskProgress>() },
  'runs:changed': { method: 'onRunsChanged', payload: returns<RunsChanged>() },
  /** What a followed run's trainer wrote (see the `runs:follow` operation); every page gets every run's, and filters by runId. */
  'runs:update': { method: 'onRunUpdate', payload: returns<RunFollowUpdate>() },
} as const satisfies Record<string, { method: string; payload: unknown }>;
