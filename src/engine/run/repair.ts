/**
 * Repairing a damaged run folder: what a kill, a crash or a full disk leaves
 * behind, put right without tfjs. `planRepair` only reads and lists what it
 * would do; `repairRun` does it, holding the run's lock like a trainer (it is
 * refused while a live process trains the run). It never deletes weights:
 * damaged or half-written checkpoints are moved into checkpoints/damaged/,
 * and a damaged checkpoint that verifies again is moved back.
 *
 * What it repairs:
 *   stale-lock        a train.lock whose process is gone (and its temp files)
 *   leftovers         temp files of interrupted atomic writes in the run folder, and
 *                     half-made run folders of dead processes beside it (`.new-…`, `.claim-…`:
 *                     never trained, so they hold no weights)
 *   partial-checkpoint a checkpoint's temp folder (`checkpoints/.step-….tmp-…`) → damaged/
 *   damaged-checkpoint a checkpoint whose files fail their checksums → damaged/
 *   restore-checkpoint a checkpoint in damaged/ that verifies again → back in place
 *   config            a missing or unreadable config.json, rebuilt from the newest
 *                     checkpoint's recorded options (checkpoint format 2)
 *   run-file          an unreadable run.json, rewritten (who made the run: unknown)
 *   stats             stats.jsonl lines past the newest checkpoint (a resume redoes those steps)
 *   status            a missing status.json, or one saying running/paused with no live holder
 */
import { readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TrainConfigSchema } from '../../shared/config';
import { UserError } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import {
  CheckpointDamagedError,
  readCheckpointState,
  verifyCheckpointFiles,
  type CheckpointState,
} from './checkpoint-state';
import { DAMAGED_DIR, setAside } from './checkpoint-pick';
import { readRunConfig } from './config-file';
import { acquireRunLock, assertRunUnlocked, readLockHolder } from './lock';
import {
  CHECKPOINTS_DIR,
  CONFIG_FILE,
  IMPORT_REPORT_FILE,
  LOCK_FILE,
  STATS_FILE,
  checkpointStepOf,
  deadCreationLeftovers,
  isRunFolderName,
  listCheckpoints,
} from './run-dir';
import { NewerRunFormatError, RUN_FILE, readRunInfo, writeRunInfo } from './run-format';
import { truncateStats } from './stats-log';
import { readStatusFile, writeRunStatus } from './status';

export type RepairKind =
  | 'stale-lock'
  | 'leftovers'
  | 'partial-checkpoint'
  | 'damaged-checkpoint'
  | 'restore-checkpoint'
  | 'config'
  | 'run-file'
  | 'stats'
  | 'status';

export interface RepairAction {
  kind: RepairKind;
  /** One line for the user: what is wrong and what the repair does about it. */
  description: string;
}

export interface RepairReport {
  runDir: string;
  /** What was done (or, in a dry run, what would be done), in order. */
  actions: RepairAction[];
  /** Problems a repair cannot fix (say what the user can do). */
  unrepairable: string[];
  /** False for a dry run. */
  applied: boolean;
}

interface Step extends RepairAction {
  apply: () => Promise<void>;
}

const exists = async (p: string): Promise<boolean> => Boolean(await stat(p).catch(() => null));
async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Temp names of atomic writes (`.<name>.tmp-<pid>-<hex>`) and of lock takeovers (`train.lock.tmp-…`, `.stale-…`). */
const TEMP_FILE = /^\..+\.tmp-\d+-[0-9a-f]+$/;
const LOCK_TEMP = new RegExp(`^${LOCK_FILE.replace('.', '\\.')}\\.(tmp|stale)-[0-9a-f]+$`);

/** The state of a checkpoint if it verifies (format 1: nothing to verify), else why not. */
async function verify(dir: string): Promise<{ state: CheckpointState } | { reason: string }> {
  try {
    const state = await readCheckpointState(dir);
    await verifyCheckpointFiles(dir, state);
    return { state };
  } catch (err) {
    if (err instanceof CheckpointDamagedError) return { reason: err.reason };
    throw err;
  }
}

/**
 * config.json from a checkpoint's recorded maths options, plus what the run
 * folder still tells: the name (folder name), the data folder (the import
 * report), steps and backend (status.json or the checkpoint).
 */
async function configFromCheckpoint(runDir: string, state: CheckpointState): Promise<object | null> {
  if (!state.options) return null;
  const status = await readStatusFile(runDir);
  const report = await readJson<{ root?: unknown }>(path.join(runDir, IMPORT_REPORT_FILE));
  const tree = structuredClone(state.options) as Record<string, unknown> & { data?: Record<string, unknown> };
  const name = path.basename(runDir).replace(/^\d+-/, '');
  tree.name = name;
  tree.steps = Math.max(status?.steps ?? 0, state.step);
  tree.backend = state.backend || 'auto';
  tree.data = { ...(tree.data ?? {}), dir: typeof report?.root === 'string' ? report.root : null };
  const parsed = TrainConfigSchema.safeParse(tree);
  return parsed.success ? parsed.data : null;
}

async function plan(runDir: string): Promise<{ steps: Step[]; unrepairable: string[] }> {
  const steps: Step[] = [];
  const unrepairable: string[] = [];
  const checkpointsRoot = path.join(runDir, CHECKPOINTS_DIR);

  const holder = await readLockHolder(runDir);
  if (holder.state === 'stale') {
    steps.push({
      kind: 'stale-lock',
      description: `remove ${LOCK_FILE}: ${holder.lock ? `process ${holder.lock.pid} that held it is gone` : 'it is unreadable'}`,
      // Taken over by the lock this repair holds (acquireRunLock moves a stale one aside).
      apply: async () => undefined,
    });
  }

  for (const name of await readdir(runDir).catch(() => [] as string[])) {
    if (!TEMP_FILE.test(name) && !LOCK_TEMP.test(name)) continue;
    const file = path.join(runDir, name);
    if ((await stat(file).catch(() => null))?.isFile())
      steps.push({
        kind: 'leftovers',
        description: `remove ${name}: a temp file of an interrupted write`,
        apply: () => rm(file, { force: true }),
      });
  }
  const outDir = path.dirname(runDir);
  for (const { name, pid, halfMade } of await deadCreationLeftovers(outDir)) {
    steps.push({
      kind: 'leftovers',
      description: `remove ${path.join(outDir, name)}: a run folder ${halfMade ? 'half made' : 'number claimed'} by process ${pid}, which is gone (never trained)`,
      apply: () => rm(path.join(outDir, name), { recursive: true, force: true }),
    });
  }

  // Checkpoints: half-written temp folders and damaged ones go to damaged/; damaged ones that verify come back.
  const toSetAside: string[] = [];
  for (const name of await readdir(checkpointsRoot).catch(() => [] as string[])) {
    if (!(name.startsWith('.') && name.includes('.tmp-'))) continue;
    const dir = path.join(checkpointsRoot, name);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) continue;
    toSetAside.push(dir);
    steps.push({
      kind: 'partial-checkpoint',
      description: `move ${name} to ${CHECKPOINTS_DIR}/${DAMAGED_DIR}/: a checkpoint whose write never finished`,
      apply: async () => undefined,
    });
  }
  const intact: { step: number; dir: string; state: CheckpointState }[] = [];
  for (const c of await listCheckpoints(runDir)) {
    const v = await verify(c.dir);
    if ('state' in v) intact.push({ ...c, state: v.state });
    else {
      toSetAside.push(c.dir);
      steps.push({
        kind: 'damaged-checkpoint',
        description: `move checkpoint ${path.basename(c.dir)} to ${CHECKPOINTS_DIR}/${DAMAGED_DIR}/: ${v.reason}`,
        apply: async () => undefined,
      });
    }
  }
  if (toSetAside.length > 0) {
    // One step moves them all (the actions above describe each).
    steps.push({
      kind: 'partial-checkpoint',
      description: '',
      apply: async () => void (await setAside(runDir, toSetAside, DAMAGED_DIR)),
    });
  }
  const damagedRoot = path.join(checkpointsRoot, DAMAGED_DIR);
  for (const name of await readdir(damagedRoot).catch(() => [] as string[])) {
    const step = checkpointStepOf(name);
    const dir = path.join(damagedRoot, name);
    if (step === null || (await exists(path.join(checkpointsRoot, name)))) continue;
    const v = await verify(dir);
    if (!('state' in v) || !v.state.files) continue; // still damaged, or nothing to verify it by: it stays
    intact.push({ step, dir: path.join(checkpointsRoot, name), state: v.state });
    steps.push({
      kind: 'restore-checkpoint',
      description: `move ${CHECKPOINTS_DIR}/${DAMAGED_DIR}/${name} back: all its files match their checksums now`,
      apply: () => rename(dir, path.join(checkpointsRoot, name)),
    });
  }
  intact.sort((a, b) => a.step - b.step);
  const newest = intact.at(-1) ?? null;

  // run.json and config.json: the folder must read again.
  let runFileOk = true;
  try {
    await readRunInfo(runDir);
  } catch (err) {
    if (err instanceof NewerRunFormatError) throw err;
    runFileOk = false;
    steps.push({
      kind: 'run-file',
      description: `rewrite ${RUN_FILE}: ${(err as Error).message}`,
      apply: () => writeRunInfo(runDir, { format: 2, createdBy: null, createdAt: null }),
    });
  }
  // The steps the run is set to train, when its config reads.
  let configSteps: number | null = null;
  if (runFileOk) {
    configSteps = await readRunConfig(runDir).then(
      (c) => c.steps,
      (e: unknown) => (e instanceof UserError ? null : Promise.reject(e)),
    );
  } else {
    const parsed = TrainConfigSchema.safeParse(await readJson(path.join(runDir, CONFIG_FILE)));
    configSteps = parsed.success ? parsed.data.steps : null;
  }
  if (configSteps === null) {
    const config = newest ? await configFromCheckpoint(runDir, newest.state) : null;
    if (config) {
      configSteps = (config as { steps: number }).steps;
      steps.push({
        kind: 'config',
        description: `rebuild ${CONFIG_FILE} from the options recorded in checkpoint ${path.basename(newest!.dir)}${(config as { data: { dir: string | null } }).data.dir ? '' : ' (the data folder is unknown: pass --data when resuming)'}`,
        apply: async () => {
          const file = path.join(runDir, CONFIG_FILE);
          // An unreadable config.json is kept beside the new one, for the user to look at.
          if (await exists(file)) await rename(file, `${file}.damaged`);
          await writeFileAtomic(file, JSON.stringify(config, null, 2));
        },
      });
    } else {
      unrepairable.push(
        `${CONFIG_FILE} is missing or unreadable and ${newest ? `checkpoint ${path.basename(newest.dir)} (format 1) records no options` : 'there is no intact checkpoint'} to rebuild it from.`,
      );
    }
  }

  // stats.jsonl: lines past the newest intact checkpoint belong to steps a resume trains again.
  const statsFile = path.join(runDir, STATS_FILE);
  const upTo = newest?.step ?? 0;
  const lines = (await readFile(statsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const past = lines.filter((l) => {
    try {
      return (JSON.parse(l) as { step?: number }).step! > upTo;
    } catch {
      return true; // a line cut short by a kill
    }
  }).length;
  if (past > 0)
    steps.push({
      kind: 'stats',
      description: `drop ${past} line${past === 1 ? '' : 's'} of ${STATS_FILE} past step ${upTo}, the newest checkpoint (a resume trains those steps again)`,
      apply: () => truncateStats(statsFile, upTo),
    });

  // status.json: missing, or running/paused with no live holder.
  const status = await readStatusFile(runDir);
  const stale = status && (status.status === 'running' || status.status === 'paused');
  if (!status || stale) {
    const step = newest?.step ?? 0;
    const total = status?.steps ?? configSteps ?? step;
    steps.push({
      kind: 'status',
      description: `${status ? `rewrite status.json: it says ${status.status}, but no process trains the run` : 'write the missing status.json'}: stopped at step ${step}`,
      apply: () =>
        writeRunStatus(runDir, {
          status: 'stopped',
          step,
          steps: total,
          backend: status?.backend ?? newest?.state.backend ?? '',
        }),
    });
  }
  return { steps, unrepairable };
}

async function checkRunFolder(runDir: string): Promise<void> {
  const info = await stat(runDir).catch(() => null);
  if (!info?.isDirectory()) throw new UserError(`Run folder not found: ${runDir}.`);
  if (!isRunFolderName(path.basename(runDir)) && !(await exists(path.join(runDir, CHECKPOINTS_DIR))))
    throw new UserError(`${runDir} is not a run folder (no ${CHECKPOINTS_DIR}/, and not named like 00001-name).`);
}

const report = (runDir: string, steps: Step[], unrepairable: string[], applied: boolean): RepairReport => ({
  runDir,
  actions: steps.filter((s) => s.description).map(({ kind, description }) => ({ kind, description })),
  unrepairable,
  applied,
});

/** What `repairRun` would do to `runDir`; reads only. Refused while a live process trains it. */
export async function planRepair(runDir: string): Promise<RepairReport> {
  await checkRunFolder(runDir);
  await assertRunUnlocked(runDir);
  const { steps, unrepairable } = await plan(runDir);
  return report(runDir, steps, unrepairable, false);
}

/** Repair `runDir`, holding its lock (a stale lock is taken over); returns what was done. */
export async function repairRun(runDir: string): Promise<RepairReport> {
  await checkRunFolder(runDir);
  await assertRunUnlocked(runDir);
  const planned = await plan(runDir);
  const lock = await acquireRunLock(runDir);
  try {
    for (const step of planned.steps) await step.apply();
  } finally {
    await lock.release(runDir);
  }
  return report(runDir, planned.steps, planned.unrepairable, true);
}
