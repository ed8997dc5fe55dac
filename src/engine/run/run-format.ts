/**
 * The format of a run folder, kept in its own `run.json` ({ format,
 * createdBy, createdAt }), apart from config.json: config.json is the run's
 * options and nothing else (a user may pass it back with --config, the studio
 * diffs two of them), while the format says how to read the folder as a
 * whole. Checkpoints carry a format of their own (./checkpoint.ts).
 *
 * Formats:
 *   1  GAN Studio 0.1.0 and the builds before run.json: no run.json at all.
 *   2  run.json, written with config.json before the folder becomes visible.
 * A folder of an older format is migrated in memory when read, never on disk:
 * only the trainer, when it resumes the run, writes the current run.json.
 * A folder of a newer format is refused with "Update GAN Studio".
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import { GAN_STUDIO_VERSION } from '../version';

export const RUN_FILE = 'run.json';
export const RUN_FORMAT = 2;

/** run.json as this version reads it (after migration). */
export interface RunInfo {
  format: typeof RUN_FORMAT;
  /** The GAN Studio version that made the folder; null for folders from before run.json. */
  createdBy: string | null;
  createdAt: string | null;
  /** The version of the last trainer that resumed it, when one did. */
  resumedBy?: string;
}

/** What `readRunInfo` found: the migrated info, and the format on disk. */
export interface RunFormatInfo {
  info: RunInfo;
  /** The format the folder has on disk (1 when it has no run.json). */
  foundFormat: number;
}

/** run.json of a folder made now. */
export function newRunInfo(): RunInfo {
  return { format: RUN_FORMAT, createdBy: GAN_STUDIO_VERSION, createdAt: new Date().toISOString() };
}

export async function writeRunInfo(runDir: string, info: RunInfo): Promise<void> {
  await writeFileAtomic(path.join(runDir, RUN_FILE), JSON.stringify(info, null, 2));
}

/** A folder of a newer format than this version reads: no older reader can do better than refuse. */
export class NewerRunFormatError extends UserError {
  override name = 'NewerRunFormatError';
  constructor(runDir: string, format: number, createdBy: string | null) {
    super(
      `Run ${runDir} was made by a newer GAN Studio${createdBy ? ` (${createdBy})` : ''} (run format ${format}; this version ${GAN_STUDIO_VERSION} reads up to ${RUN_FORMAT}). Update GAN Studio to open it.`,
    );
  }
}

/**
 * A run folder's format, migrated to the current one. No run.json is format 1
 * (0.1.0); a run.json that cannot be read is a UserError saying so (the
 * folder is damaged, the repair command rewrites it).
 */
export async function readRunInfo(runDir: string): Promise<RunFormatInfo> {
  const file = path.join(runDir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { info: migrateFormat1(), foundFormat: 1 };
    throw new UserError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`Corrupt ${file}: ${(err as Error).message}`);
  }
  const format = raw?.format;
  if (!Number.isInteger(format) || (format as number) < 2)
    throw new UserError(`Corrupt ${file}: no valid "format" (got ${JSON.stringify(format)}).`);
  const createdBy = typeof raw.createdBy === 'string' ? raw.createdBy : null;
  if ((format as number) > RUN_FORMAT) throw new NewerRunFormatError(runDir, format as number, createdBy);
  return {
    info: {
      format: RUN_FORMAT,
      createdBy,
      createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : null,
      ...(typeof raw.resumedBy === 'string' ? { resumedBy: raw.resumedBy } : {}),
    },
    foundFormat: format as number,
  };
}

/** Format 1 → 2: the folder's layout is the same; what it lacks is who made it, and when (unknown). */
function migrateFormat1(): RunInfo {
  return { format: RUN_FORMAT, createdBy: null, createdAt: null };
}

/**
 * The config tree of a folder of format `foundFormat`, in today's options.
 * Format 1's options are a subset of today's (every option added since has a
 * default that reproduces 0.1.0's behaviour), so it passes unchanged; a later
 * rename or removal of an option adds its step here.
 */
export function migrateConfigTree(tree: unknown, foundFormat: number): unknown {
  void foundFormat;
  return tree;
}
