/**
 * The run-folder layout, after StyleGAN2-ADA: `<out>/00001-name/` holding
 *   run.json                    the folder's format and the version that made it (./run-format.ts; none before format 2)
 *   config.json                 the resolved options (there from the start: the folder is renamed into place with it)
 *   status.json                 running | paused | finished | stopped | failed, with step, steps, backend, pid (./status.ts)
 *   train.lock                  pid + host of the process training it (./lock.ts)
 *   stats.jsonl                 one JSON line per step, plus event lines such as rollbacks (src/shared/stats.ts)
 *   import-report.json          what the dataset import took and skipped
 *   heldout.json                the held-out reals the metrics compare with (../metrics/holdout.ts)
 *   metrics.jsonl               one line per metrics evaluation (../metrics/live.ts)
 *   origin.json                 fine-tuned runs only: the run and step its weights came from (../train/init-from.ts)
 *   samples/step-000100.png     grids from fixed noise
 *   checkpoints/step-000500/    G, D, G-EMA, optimizer state, state.json (./checkpoint.ts)
 *   checkpoints/damaged/        checkpoints a resume skipped as damaged (./checkpoint-pick.ts)
 *   checkpoints/superseded/     checkpoints newer than the one a run was resumed from
 * The names of the top-level files and folders are defined here, except run.json
 * (./run-format.ts), heldout.json (../metrics/holdout.ts), origin.json
 * (../train/init-from.ts) and checkpoints' damaged/ and superseded/ (./checkpoint-pick.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';

export const CONFIG_FILE = 'config.json';
export const STATUS_FILE = 'status.json';
export const LOCK_FILE = 'train.lock';
export const STATS_FILE = 'stats.jsonl';
/** One line per quality evaluation (written by ../metrics/live.ts; here so tfjs-free readers find it). */
export const METRICS_FILE = 'metrics.jsonl';
export const IMPORT_REPORT_FILE = 'import-report.json';
export const SAMPLES_DIR = 'samples';
export const CHECKPOINTS_DIR = 'checkpoints';
export const CHECKPOINT_STATE_FILE = 'state.json';

/** Run folder names: a 5+ digit number, a dash, the run's name. */
const RUN_FOLDER = /^(\d{5,})-([\w.-]{1,64})$/;
const RUN_NUMBER = /^(\d{5,})-/;
const CHECKPOINT_NAME = /^step-(\d{6,})$/;
const SAMPLE_NAME = /^step-(\d{6,})\.png$/;
const STEP_DIGITS = 6;
const RUN_DIGITS = 5;

export const stepName = (step: number): string => `step-${String(step).padStart(STEP_DIGITS, '0')}`;
export const sampleFile = (runDir: string, step: number): string =>
  path.join(runDir, SAMPLES_DIR, `${stepName(step)}.png`);
export const checkpointDir = (runDir: string, step: number): string =>
  path.join(runDir, CHECKPOINTS_DIR, stepName(step));

/** True for a name the runs folder uses for a run (`00001-cats`), false for temp folders and anything else. */
export const isRunFolderName = (name: string): boolean => RUN_FOLDER.test(name);
/** The step of a checkpoint folder's name (`step-000500` → 500); null for any other name. */
export function checkpointStepOf(name: string): number | null {
  const m = CHECKPOINT_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Names of the run folders in `outDir` (whatever state they are in), unsorted; none when it does not exist. */
export async function listRunFolders(outDir: string): Promise<string[]> {
  return (await readdir(outDir).catch(() => [] as string[])).filter(isRunFolderName);
}

/** Hidden files that claim a run number while its folder is filled (see createRunDir). */
const CLAIM_NAME = /^\.claim-(\d{5,})$/;

async function nextRunNumber(outDir: string): Promise<number> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  const ids = names
    .map((n) => RUN_NUMBER.exec(n) ?? CLAIM_NAME.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m[1]));
  return Math.max(0, ...ids) + 1;
}

/** Whether a run folder (of any name) already has number `n`. */
async function numberInUse(outDir: string, n: number): Promise<boolean> {
  const names = await readdir(outDir).catch(() => [] as string[]);
  return names.some((name) => Number(RUN_NUMBER.exec(name)?.[1]) === n);
}

const runFolderName = (n: number, name: string): string => `${String(n).padStart(RUN_DIGITS, '0')}-${name}`;

/** The folder `createRunDir` would make now (for --dry-run); creates nothing. */
export async function nextRunDir(outDir: string, name: string): Promise<string> {
  return path.join(outDir, runFolderName(await nextRunNumber(outDir), name));
}

/**
 * Make the next numbered run folder under `outDir`. It is built under a
 * hidden temporary name, filled by `fill` (run.json, config.json, the lock), and only
 * then renamed into place: a kill at any moment leaves either no run folder
 * or one that has its config. Safe against two runs starting at once.
 */
export async function createRunDir(
  outDir: string,
  name: string,
  fill?: (dir: string) => Promise<void>,
): Promise<string> {
  await mkdir(outDir, { recursive: true });
  await removeDeadLeftovers(outDir);
  const tmp = path.join(outDir, `.new-${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(tmp);
    await mkdir(path.join(tmp, SAMPLES_DIR));
    await mkdir(path.join(tmp, CHECKPOINTS_DIR));
    await fill?.(tmp);
    for (let attempt = 0; attempt < 100; attempt++) {
      const n = await nextRunNumber(outDir);
      // The number is claimed with an O_EXCL file, whatever the run's name: of two runs starting at once only one gets it.
      const claim = path.join(outDir, `.claim-${String(n).padStart(RUN_DIGITS, '0')}`);
      try {
        await writeFile(claim, String(process.pid), { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      const dir = path.join(outDir, runFolderName(n, name));
      try {
        // The claim is free again once its holder has renamed its folder in: a creator that read the same
        // number before that rename must see the folder now, or two runs would share the number.
        if (await numberInUse(outDir, n)) continue;
        await rename(tmp, dir);
        return dir;
      } catch (err) {
        // A folder of that number and name made by hand, or by an older build: try the next number.
        if (!['EEXIST', 'ENOTEMPTY', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      } finally {
        // The visible folder now holds the number (a kill before this leaves a hidden claim: that number is skipped).
        await rm(claim, { force: true });
      }
    }
    throw new Error(`could not allocate a run folder in ${outDir}`);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** `.new-<name>.tmp-<pid>-<hex>`: a run folder being made by process pid (renamed into place when complete). */
const LEFTOVER = /^\.new-.*\.tmp-(\d+)-[0-9a-f]+$/;

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A half-made run folder or a `.claim-N` number claim in an output folder whose creator died (killed mid-creation). */
export interface CreationLeftover {
  name: string;
  pid: number;
  /** A half-made folder; false: a number claim. */
  halfMade: boolean;
}

/** The creation leftovers in `outDir` whose process is gone (its own or a live one's are left alone). */
export async function deadCreationLeftovers(outDir: string): Promise<CreationLeftover[]> {
  const found: CreationLeftover[] = [];
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    const temp = LEFTOVER.exec(name);
    const claimPid = CLAIM_NAME.test(name)
      ? Number(await readFile(path.join(outDir, name), 'utf8').catch(() => ''))
      : NaN;
    const pid = temp ? Number(temp[1]) : claimPid;
    if (Number.isInteger(pid) && pid > 0 && pidGone(pid)) found.push({ name, pid, halfMade: temp !== null });
  }
  return found;
}

async function removeDeadLeftovers(outDir: string): Promise<void> {
  for (const { name } of await deadCreationLeftovers(outDir))
    await rm(path.join(outDir, name), { recursive: true, force: true });
}

async function stepsMatching(dir: string, pattern: RegExp): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => pattern.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** Steps of a run's sample grids, ascending. */
export function listSampleSteps(runDir: string): Promise<number[]> {
  return stepsMatching(path.join(runDir, SAMPLES_DIR), SAMPLE_NAME);
}

/**
 * Removes the sample grids of steps after `step`: on a resume from an earlier
 * checkpoint, or a rollback, they show a segment that is trained again (its
 * stats lines go the same way), and the studio would show them as the run's.
 */
export async function dropSamplesAfter(runDir: string, step: number): Promise<void> {
  for (const s of await listSampleSteps(runDir)) if (s > step) await rm(sampleFile(runDir, s), { force: true });
}

/** Steps of the complete checkpoints in a run, oldest first (temp folders of an interrupted save are ignored). */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  return (await stepsMatching(path.join(runDir, CHECKPOINTS_DIR), CHECKPOINT_NAME)).map((step) => ({
    step,
    dir: checkpointDir(runDir, step),
  }));
}

/** Keep the newest `keep` checkpoints; remove the rest and any temp folder left by a crash. */
export async function pruneCheckpoints(runDir: string, keep: number): Promise<void> {
  const all = await listCheckpoints(runDir);
  for (const { dir } of all.slice(0, Math.max(0, all.length - keep))) await rm(dir, { recursive: true, force: true });
  const root = path.join(runDir, CHECKPOINTS_DIR);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name.startsWith('.') && name.includes('.tmp-'))
      await rm(path.join(root, name), { recursive: true, force: true });
  }
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

/**
 * A checkpoint folder from a path that is either a checkpoint folder or a
 * run folder (its newest checkpoint).
 */
export async function resolveCheckpointDir(p: string): Promise<string> {
  if (!(await isDir(p))) throw new UserError(`Checkpoint not found: ${p} is not a folder.`);
  if (await isFile(path.join(p, CHECKPOINT_STATE_FILE))) return p;
  if (await isDir(path.join(p, CHECKPOINTS_DIR))) {
    const all = await listCheckpoints(p);
    if (all.length === 0) throw new UserError(`Run ${p} has no checkpoint yet.`);
    return all[all.length - 1].dir;
  }
  throw new UserError(
    `${p} is neither a run folder nor a checkpoint folder (no ${CHECKPOINT_STATE_FILE}, no ${CHECKPOINTS_DIR}/).`,
  );
}

/** Whether `p` names one checkpoint folder (by its state.json, or by its place `…/checkpoints/step-NNNNNN`). */
export async function isCheckpointFolder(p: string): Promise<boolean> {
  if (await isFile(path.join(p, CHECKPOINT_STATE_FILE))) return true;
  return CHECKPOINT_NAME.test(path.basename(p)) && path.basename(path.dirname(p)) === CHECKPOINTS_DIR;
}

/** The run folder a checkpoint folder belongs to. */
export function runDirOf(checkpointDir: string): string {
  return path.dirname(path.dirname(checkpointDir));
}
