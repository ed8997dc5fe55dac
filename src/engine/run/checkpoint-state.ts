/**
 * A checkpoint's state.json, read and verified without tfjs (the studio's
 * main process and `repair` use it): its format and migrations, the damage
 * error, and the check of the file manifest. ./checkpoint.ts saves and loads
 * the weights.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import type { SessionState } from '../train/session';
import { verifyManifest, type FileManifest } from './checkpoint-files';
import { CHECKPOINT_STATE_FILE } from './run-dir';

/**
 * 1: GAN Studio 0.1.0 (a config hash over every option, no file manifest).
 * 2: the maths options themselves, a file manifest with checksums, the data content key.
 */
export const CHECKPOINT_FORMAT = 2;

export type ModelName = 'g' | 'd' | 'g_ema';

export interface CheckpointState extends SessionState {
  format: number;
  configHash: string;
  /** The options that change the training maths, as they were when saved (format 2; null for format 1, migrated). */
  options: Record<string, unknown> | null;
  /** The dataset cache key the run trained on, to warn when the folder changed. */
  datasetKey: string | null;
  /** A hash of the training images themselves (pixels, labels, class names): the same images in a moved folder match. Null before format 2. */
  dataKey: string | null;
  backend: string;
  savedAt: string;
  /** Size and SHA-256 of every file but state.json (format 2; null for format 1). */
  files: FileManifest | null;
}

/** A checkpoint that cannot be used as it is on disk: damaged files, non-finite weights. An older one may still be good. */
export class CheckpointDamagedError extends UserError {
  override name = 'CheckpointDamagedError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`Corrupt checkpoint ${dir}: ${reason}.`);
  }
}

/**
 * Read a checkpoint's state.json, migrated to the current format. A missing
 * or damaged one is a CheckpointDamagedError; one from a newer GAN Studio is
 * a plain UserError (no older checkpoint would be better).
 */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const file = path.join(dir, CHECKPOINT_STATE_FILE);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new CheckpointDamagedError(dir, `cannot read ${CHECKPOINT_STATE_FILE} (${(err as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || !Number.isInteger(raw.format) || !Number.isInteger(raw.step)) {
    throw new CheckpointDamagedError(dir, `${CHECKPOINT_STATE_FILE} is not a GAN Studio checkpoint state`);
  }
  const format = raw.format as number;
  if (format > CHECKPOINT_FORMAT) {
    throw new UserError(
      `Checkpoint ${dir} was saved by a newer GAN Studio (checkpoint format ${format}; this version reads up to ${CHECKPOINT_FORMAT}). Update GAN Studio to use it.`,
    );
  }
  if (format < 1) throw new CheckpointDamagedError(dir, `${CHECKPOINT_STATE_FILE} has an unknown format ${format}`);
  return migrateState(raw);
}

/** Format 1 → 2: no maths options, no manifest, no data key (each read as null). */
function migrateState(raw: Record<string, unknown>): CheckpointState {
  return {
    ...(raw as unknown as CheckpointState),
    options: (raw.options as Record<string, unknown> | undefined) ?? null,
    dataKey: (raw.dataKey as string | undefined) ?? null,
    files: (raw.files as FileManifest | undefined) ?? null,
  };
}

/** Check the recorded checksums of the files under `prefixes` (all files when omitted). */
export async function verifyCheckpointFiles(
  dir: string,
  state: CheckpointState,
  prefixes?: readonly string[],
): Promise<void> {
  if (!state.files) return; // format 1: nothing recorded
  const problem = await verifyManifest(dir, state.files, prefixes);
  if (problem) throw new CheckpointDamagedError(dir, problem);
}
