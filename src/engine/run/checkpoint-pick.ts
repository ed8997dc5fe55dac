/**
 * Checkpoints that heal: given a run folder, use its newest checkpoint that
 * loads whole, and say which newer ones were skipped and why. Given one
 * checkpoint folder, use exactly that one (a damaged one is an error then:
 * the user asked for it by name).
 */
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import { CheckpointDamagedError } from './checkpoint-state';
import { CHECKPOINTS_DIR, CHECKPOINT_STATE_FILE, isCheckpointFolder, listCheckpoints, runDirOf } from './run-dir';

export { isCheckpointFolder } from './run-dir';

/** Where a damaged checkpoint is moved when a resume skips it, so no later save of the same step is mistaken for it. */
export const DAMAGED_DIR = 'damaged';
/** Where the checkpoints newer than an explicitly chosen one go when a run is resumed from an older checkpoint. */
export const SUPERSEDED_DIR = 'superseded';

export interface SkippedCheckpoint {
  dir: string;
  reason: string;
}

export interface Picked<T> {
  value: T;
  /** The checkpoint folder used. */
  dir: string;
  /** The run folder it belongs to. */
  runDir: string;
  /** True when the path given was one checkpoint folder, not a run folder. */
  explicit: boolean;
  /** Newer checkpoints that could not be used, newest first. */
  skipped: SkippedCheckpoint[];
}

const isDir = async (p: string): Promise<boolean> => (await stat(p).catch(() => null))?.isDirectory() ?? false;

/** One line for the user about a skipped checkpoint. */
export function describeSkipped(s: SkippedCheckpoint): string {
  return `skipped checkpoint ${path.basename(s.dir)}: ${s.reason}`;
}

/**
 * Run `load` on the checkpoint `p` names: one checkpoint folder, or the newest
 * checkpoint of a run folder that loads without a CheckpointDamagedError
 * (older ones are tried in turn). Any other error stops the search.
 */
export async function pickCheckpoint<T>(p: string, load: (dir: string) => Promise<T>): Promise<Picked<T>> {
  if (!(await isDir(p))) throw new UserError(`Checkpoint not found: ${p} is not a folder.`);
  if (await isCheckpointFolder(p)) {
    return { value: await load(p), dir: p, runDir: runDirOf(p), explicit: true, skipped: [] };
  }
  if (!(await isDir(path.join(p, CHECKPOINTS_DIR)))) {
    throw new UserError(
      `${p} is neither a run folder nor a checkpoint folder (no ${CHECKPOINT_STATE_FILE}, no ${CHECKPOINTS_DIR}/).`,
    );
  }
  const all = (await listCheckpoints(p)).reverse();
  if (all.length === 0) throw new UserError(`Run ${p} has no checkpoint yet.`);
  return pickNewestIntact(
    p,
    all.map((c) => c.dir),
    load,
  );
}

/** The first of `dirs` (newest first) that `load` takes without a CheckpointDamagedError. */
export async function pickNewestIntact<T>(
  runDir: string,
  dirs: readonly string[],
  load: (dir: string) => Promise<T>,
): Promise<Picked<T>> {
  const skipped: SkippedCheckpoint[] = [];
  for (const dir of dirs) {
    try {
      return { value: await load(dir), dir, runDir, explicit: false, skipped };
    } catch (err) {
      if (!(err instanceof CheckpointDamagedError)) throw err;
      skipped.push({ dir, reason: err.reason });
    }
  }
  throw new UserError(
    `Run ${runDir} has no intact checkpoint: ${skipped.map((s) => `${path.basename(s.dir)}: ${s.reason}`).join('; ')}.`,
  );
}

/** Move checkpoint folders out of the run's checkpoint list into `checkpoints/<into>/`, keeping them for the user. Returns the new places. */
export async function setAside(
  runDir: string,
  dirs: readonly string[],
  into: typeof DAMAGED_DIR | typeof SUPERSEDED_DIR,
): Promise<string[]> {
  if (dirs.length === 0) return [];
  const target = path.join(runDir, CHECKPOINTS_DIR, into);
  await mkdir(target, { recursive: true });
  const moved: string[] = [];
  for (const dir of dirs) {
    let dest = path.join(target, path.basename(dir));
    // A second damaged copy of the same step must not replace the first.
    for (let n = 2; await stat(dest).catch(() => null); n++) dest = path.join(target, `${path.basename(dir)}-${n}`);
    await rename(dir, dest);
    moved.push(dest);
  }
  return moved;
}
