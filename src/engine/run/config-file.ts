/**
 * A run's config.json, read one way by everyone (resume, generate, export,
 * the studio's run list). `readRunConfig` throws a UserError that says what is
 * wrong; `inspectRunConfig` returns the same line as a problem, for listings
 * that show damaged runs instead of failing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { parseConfig } from '../config/resolve';
import { UserError } from '../errors';
import { CONFIG_FILE } from './run-dir';

export async function readRunConfig(runDir: string): Promise<TrainConfig> {
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
  return parseConfig(tree, file);
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
