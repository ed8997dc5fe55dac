/**
 * Run folders, after StyleGAN2-ADA: `<out>/00001-name/` holding
 *   config.json                 the resolved options
 *   stats.jsonl                 one JSON line per step
 *   import-report.json          what the dataset import took and skipped
 *   samples/step-000100.png     grids from fixed noise
 *   checkpoints/step-000500/    G, D, G-EMA, optimizer state, state.json
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';

export const CONFIG_FILE = 'config.json';
export const STATS_FILE = 'stats.jsonl';
export const IMPORT_REPORT_FILE = 'import-report.json';
export const SAMPLES_DIR = 'samples';
export const CHECKPOINTS_DIR = 'checkpoints';
export const CHECKPOINT_STATE_FILE = 'state.json';

const RUN_ID = /^(\d{5,})-/;
const CHECKPOINT_NAME = /^step-(\d{6,})$/;

export const stepName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

/** Make the next numbered run folder under `outDir`. Safe against two runs starting at once. */
export async function createRunDir(outDir: string, name: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  for (let attempt = 0; attempt < 100; attempt++) {
    const ids = (await readdir(outDir)).map((n) => RUN_ID.exec(n)).filter((m) => m !== null).map((m) => Number(m[1]));
    const next = Math.max(0, ...ids) + 1;
    const dir = path.join(outDir, `${String(next).padStart(5, '0')}-${name}`);
    try {
      await mkdir(dir); // not recursive: fails if another run took the number
      await mkdir(path.join(dir, SAMPLES_DIR));
      await mkdir(path.join(dir, CHECKPOINTS_DIR));
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`could not allocate a run folder in ${outDir}`);
}

/** Steps of the complete checkpoints in a run, oldest first (temp folders of an interrupted save are ignored). */
export async function listCheckpoints(runDir: string): Promise<{ step: number; dir: string }[]> {
  const root = path.join(runDir, CHECKPOINTS_DIR);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, m: CHECKPOINT_NAME.exec(n) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ step: Number(x.m![1]), dir: path.join(root, x.n) }))
    .sort((a, b) => a.step - b.step);
}

/** Keep the newest `keep` checkpoints; remove the rest and any temp folder left by a crash. */
export async function pruneCheckpoints(runDir: string, keep: number): Promise<void> {
  const all = await listCheckpoints(runDir);
  for (const { dir } of all.slice(0, Math.max(0, all.length - keep))) await rm(dir, { recursive: true, force: true });
  const root = path.join(runDir, CHECKPOINTS_DIR);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (name.startsWith('.') && name.includes('.tmp-')) await rm(path.join(root, name), { recursive: true, force: true });
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
  throw new UserError(`${p} is neither a run folder nor a checkpoint folder (no ${CHECKPOINT_STATE_FILE}, no ${CHECKPOINTS_DIR}/).`);
}

/** The run folder a checkpoint folder belongs to. */
export function runDirOf(checkpointDir: string): string {
  return path.dirname(path.dirname(checkpointDir));
}
