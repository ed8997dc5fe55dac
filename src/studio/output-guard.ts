/**
 * Where the studio's outputs (saved images, GIFs, frame folders, batches,
 * latents files, web exports) may land:
 *  - never on a run's own files: its checkpoints/ and samples/, its
 *    run.json, config.json, status.json, stats.jsonl, import-report.json, or a hidden
 *    file of the trainer (lock, temp). Only the trainer writes those. A run
 *    folder is recognised by its contents wherever it is, not only under the
 *    runs root, and after resolving symbolic links;
 *  - never over an existing file unless the user confirmed it (`overwrite`).
 *    A default name that is taken gets a numbered sibling instead (`-2`, `-3`).
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CHECKPOINTS_DIR, CONFIG_FILE, IMPORT_REPORT_FILE, RUN_FILE, SAMPLES_DIR, STATS_FILE } from '../engine/light';
import { OutputExistsError, StudioRejectedError } from './errors';
import { realpathLoose } from './paths';

const STATUS_FILE = 'status.json';
/** Subfolders of a run only the trainer writes in. */
const RUN_OWNED_DIRS = new Set([CHECKPOINTS_DIR, SAMPLES_DIR]);
/** Files of a run only the trainer writes. */
const RUN_OWNED_FILES = new Set([RUN_FILE, CONFIG_FILE, STATUS_FILE, STATS_FILE, IMPORT_REPORT_FILE]);

const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** A run folder: config.json next to the trainer's checkpoints/, status.json or stats.jsonl. */
function isRunFolder(dir: string): boolean {
  return (
    existsSync(path.join(dir, CONFIG_FILE)) &&
    (isDir(path.join(dir, CHECKPOINTS_DIR)) ||
      existsSync(path.join(dir, STATUS_FILE)) ||
      existsSync(path.join(dir, STATS_FILE)))
  );
}

/** The run folder `target` is in (or is), if any. */
function enclosingRun(target: string): string | null {
  for (let dir = target; ; dir = path.dirname(dir)) {
    if (isRunFolder(dir)) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Refuses an output target (file or folder) on a run's own files. `kind`:
 * 'folder' targets are written into, so a run folder itself is refused too.
 */
export async function assertNotRunOwned(target: string, kind: 'file' | 'folder'): Promise<void> {
  const real = await realpathLoose(target);
  const run = enclosingRun(real);
  if (!run) return;
  const parts = path.relative(run, real).split(path.sep).filter(Boolean);
  const first = parts[0] ?? '';
  const owned =
    parts.length === 0
      ? kind === 'folder'
      : RUN_OWNED_DIRS.has(first) || (parts.length === 1 && (RUN_OWNED_FILES.has(first) || first.startsWith('.')));
  if (owned) {
    const where = parts.length ? path.join(path.basename(run), ...parts) : path.basename(run);
    throw new StudioRejectedError(
      `${where} belongs to the run's training files, which only the trainer writes: choose another folder or name (the run's generated/ folder is fine).`,
    );
  }
}

/** `name` with `-n` before its extension (`seed7-x4-2.png`, `interp-1-2-3`). */
function numbered(name: string, n: number, isFolder: boolean): string {
  if (n === 1) return name;
  const ext = isFolder ? '' : path.extname(name);
  return `${name.slice(0, name.length - ext.length)}-${n}${ext}`;
}

/**
 * The path a new file or folder goes to in `dir`: `name` as asked when given
 * (an existing one only with `overwrite`), else the default name or, when that
 * is taken, its first free numbered sibling. Checked against the run's own files.
 */
export async function outputTarget(
  dir: string,
  options: { name?: string; defaultName: string; overwrite?: boolean; kind: 'file' | 'folder' },
): Promise<string> {
  const { name, defaultName, overwrite = false, kind } = options;
  let target: string;
  if (name) {
    target = path.join(dir, name);
    if (existsSync(target) && !overwrite) {
      throw new OutputExistsError(`${name} already exists in ${dir}: choose another name, or confirm replacing it.`);
    }
  } else {
    let n = 1;
    while (existsSync((target = path.join(dir, numbered(defaultName, n, kind === 'folder'))))) n++;
  }
  await assertNotRunOwned(target, kind);
  return target;
}

/**
 * A folder the output writes its files into, as chosen: refused when it
 * already holds files (they could be replaced) unless the user confirmed it.
 */
export async function checkOutputFolder(dir: string, overwrite = false): Promise<void> {
  await assertNotRunOwned(dir, 'folder');
  if (overwrite) return;
  const entries = (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.startsWith('.'));
  if (entries.length)
    throw new OutputExistsError(
      `${dir} already holds files: choose an empty folder, or confirm writing into it (files of the same name are replaced).`,
    );
}
