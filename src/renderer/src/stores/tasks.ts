import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { TaskKind, TaskProgress, Unsubscribe } from '@shared/contract';
import { getApi } from '../api/index';

let counter = 0;

/**
 * Progress of long operations (import, preview, export, generate). A caller
 * makes a task id with `newTaskId` (or runs the call through `track`),
 * passes it to the API call, and reads `fraction(id)` while it runs; the
 * `task:progress` events fill it in.
 */
export const useTasksStore = defineStore('tasks', () => {
  /** Latest progress by task id. */
  const progress = ref<Record<string, TaskProgress>>({});
  let unsubscribe: Unsubscribe | null = null;

  /** Start listening for `task:progress` (idempotent). */
  function listen(): void {
    if (unsubscribe) return;
    unsubscribe = getApi().onTaskProgress((p) => {
      progress.value = { ...progress.value, [p.taskId]: p };
    });
  }

  /** A fresh task id for an API call. */
  function newTaskId(kind: TaskKind): string {
    listen();
    counter++;
    const rand =
      typeof crypto !== 'undefined' && 'randomUUID' in crypto
        ? crypto.randomUUID().slice(0, 8)
        : Math.random().toString(36).slice(2, 10);
    return `${kind}-${Date.now().toString(36)}-${counter}-${rand}`;
  }

  /** Done / total of a task in [0, 1]; 0 before the first report. */
  function fraction(taskId: string | null): number {
    const p = taskId ? progress.value[taskId] : undefined;
    if (!p || p.total <= 0) return 0;
    return Math.min(1, Math.max(0, p.done / p.total));
  }

  /** Forget a finished task. */
  function clear(taskId: string | null): void {
    if (!taskId || !(taskId in progress.value)) return;
    const next = { ...progress.value };
    delete next[taskId];
    progress.value = next;
  }

  /**
   * Run `fn` with a fresh task id of `kind`, shown in `current` while it
   * runs; the task is forgotten when it ends, however it ends.
   */
  async function track<T>(
    kind: TaskKind,
    current: { value: string | null },
    fn: (taskId: string) => Promise<T>,
  ): Promise<T> {
    const taskId = newTaskId(kind);
    current.value = taskId;
    try {
      return await fn(taskId);
    } finally {
      clear(taskId);
      current.value = null;
    }
  }

  return { progress, listen, newTaskId, fraction, clear, track };
});
