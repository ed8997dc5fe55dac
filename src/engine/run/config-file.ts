/**
 * The one reader of run folders: its format (run.json, ./run-format.ts) and
 * its config.json, read one way by everyone (CLI resume, generate, export,
 * the studio's run list). An older folder is migrated in memory; a newer one
 * is refused with "Update GAN Studio". `readRun`/`readRunConfig` throw a
 * UserError that says what is wrong; `inspectRunConfig` returns the same line
 * as a problem, for listings that show damaged runs instead of failing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { parseConfig } from '../config/resolve';
import { UserError } from '../errors';
import { CONFIG_FILE } from './run-dir';
import { migrateConfigTree, readRunInfo, type RunFormatInfo } from './run-format';

export interface RunFolder extends RunFormatInfo {
  config: TrainConfig;
}

/** A run folder's format and config, migrated to this version. */
export async function readRun(runDir: string): Promise<RunFolder> {
  const format = await readRunInfo(runDir);
  const file = path.join(runDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `Not a run folder: ${runDir} (no ${CONFIG_FILE}).`
        : `Cannot read ${file}: ${code ?? (err as Error).message}`,
    );
  }
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch (err) {
    throw new UserError(`Corrupt ${file}: ${(err as Error).message}`);
  }
  return { ...format, config: parseConfig(migrateConfigTree(tree, format.foundFormat), file) };
}

export async function readRunConfig(runDir: string): Promise<TrainConfig> {
  return (await readRun(runDir)).config;
}

/** The run's config, or the one line that says why it cannot be read. */
export async function inspectRunConfig(
  runDir: string,
): Promise<{ config: TrainConfig; problem: null } | { config: null; problem: string }> {
  try {
    return { config: await readRunConfig(runDir), problem: null };
  } catch (err) {
    if (err instanceof UserError) return { config: null, problem: err.message };
    throw err;
  }
}
