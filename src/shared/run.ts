/**
 * Facts about runs that the engine, the CLI, the studio and the contract all
 * need, defined once: the options a resume may change and the run statuses.
 * Plain data, no zod and no Node, so the renderer may import it too.
 */

/**
 * Top-level options a resumed run may change: they steer the run (its
 * length, output cadence, how many checkpoints stay, where and on how many
 * CPU threads it computes) and
 * leave the training maths alone. The studio's resume offers these.
 */
export const RUN_CONTROL_KEYS = [
  'steps',
  'sampleEvery',
  'checkpointEvery',
  'keepCheckpoints',
  'backend',
  'threads',
] as const;
export type RunControlKey = (typeof RUN_CONTROL_KEYS)[number];

/**
 * Every option (dotted path) a resume may change: the run-control keys, the
 * data folder (the same images in a new place; the checkpoint's data key
 * checks that they are the same) and how often and how much quality metrics
 * are measured.
 */
export const RESUMABLE_KEYS = [
  ...RUN_CONTROL_KEYS,
  'data.dir',
  'metrics.enabled',
  'metrics.every',
  'metrics.samples',
  'metrics.budget',
] as const;
export type ResumableKey = (typeof RESUMABLE_KEYS)[number];

export function isResumableKey(key: string): key is ResumableKey {
  return (RESUMABLE_KEYS as readonly string[]).includes(key);
}

/** What status.json says: written by the trainer only. */
export const WRITTEN_RUN_STATUSES = ['running', 'paused', 'finished', 'stopped', 'failed'] as const;
export type WrittenRunStatus = (typeof WRITTEN_RUN_STATUSES)[number];

/**
 * Status of a run as readers see it: what status.json says, except
 *   `new`          no status.json yet (the trainer has not started training it);
 *   `interrupted`  status.json says running or paused, but no live process
 *                  holds the run's lock (crash, kill, power cut): resume it.
 */
export type RunStatus = WrittenRunStatus | 'new' | 'interrupted';
