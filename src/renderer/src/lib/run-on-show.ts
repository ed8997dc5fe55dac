/**
 * Which run the Train view shows when the page opens with no job of its own
 * (a reload, a fresh studio, a studio restarted after a run ended), so that
 * it opens on that run's curves, samples and status instead of an empty
 * "idle" monitor:
 *  1. the run this tab showed before the reload (kept in sessionStorage, so a
 *     reload keeps what the user looked at, and a new tab starts fresh);
 *  2. else a run another process (the CLI, another studio) trains now: the
 *     newest of those, followed live;
 *  3. else the run whose status changed last (finished, stopped, failed,
 *     interrupted): the one that just ended.
 * Damaged runs (no readable config) are never picked: they have nothing to show.
 */
import type { RunSummary } from '@shared/contract';

const STORAGE_KEY = 'gan-studio.train.shown-run';

const newestFirst = (a: RunSummary, b: RunSummary): number =>
  b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id);

/** The run to show from `runs` (the Runs list), given the one this tab showed last; null when there is none. */
export function runToShow(runs: readonly RunSummary[], remembered: string | null): string | null {
  const sound = runs.filter((r) => r.problem === null);
  if (remembered && sound.some((r) => r.id === remembered)) return remembered;
  const elsewhere = sound.filter((r) => (r.status === 'running' || r.status === 'paused') && !r.live);
  const pick = [...(elsewhere.length ? elsewhere : sound)].sort(newestFirst)[0];
  return pick?.id ?? null;
}

/** The run this tab showed last (null: none, or storage is off). */
export function rememberedRun(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Remember the run on show for a reload of this tab (null forgets it). */
export function rememberRun(id: string | null): void {
  try {
    if (id) globalThis.sessionStorage?.setItem(STORAGE_KEY, id);
    else globalThis.sessionStorage?.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: a reload shows the newest run instead
  }
}

/**
 * The run Generate and Export open on when the user has not picked one: the
 * run Train shows (`shown`), when it has a checkpoint; else the newest run
 * trained past step 0 (a step-0 checkpoint makes only noise); else the newest
 * with any checkpoint. `runs` is the Runs list, newest first.
 */
export function checkpointRunToOpen(runs: readonly RunSummary[], shown: string | null): string | null {
  const usable = runs.filter((r) => r.problem === null && r.checkpointCount > 0);
  const pick = usable.find((r) => r.id === shown) ?? usable.find((r) => (r.lastCheckpointStep ?? 0) > 0) ?? usable[0];
  return pick?.id ?? null;
}
