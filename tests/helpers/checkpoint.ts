/** Comparing two runs' checkpoints, for the exact-resume tests. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { loadLayersModel } from '../../src/engine/io/layers-model-fs';
import { CHECKPOINT_STATE_FILE, checkpointDir } from '../../src/engine/run/run-dir';
import { sameWeights, snapshot } from './tf';

/** Every weight of one model (g, d, g_ema) of a run's checkpoint at `step`. */
export async function checkpointWeights(runDir: string, step: number, model: string): Promise<Float32Array[]> {
  const m = await loadLayersModel(path.join(checkpointDir(runDir, step), model));
  const w = snapshot(m);
  m.dispose();
  return w;
}

/**
 * A checkpoint's state.json without what may differ between equal
 * checkpoints: the save time, and the checksums of the model.json files,
 * which hold auto-generated layer names that depend on how many models the
 * process built (the weights' checksums must match).
 */
export async function comparableState(runDir: string, step: number): Promise<Record<string, unknown>> {
  const text = await readFile(path.join(checkpointDir(runDir, step), CHECKPOINT_STATE_FILE), 'utf8');
  const { savedAt: _t, ...rest } = JSON.parse(text) as { savedAt: unknown; files: Record<string, unknown> };
  for (const file of Object.keys(rest.files)) if (file.endsWith('/model.json')) delete rest.files[file];
  return rest;
}

/**
 * Expect run `actual`'s checkpoint at `step` to be run `expected`'s: the
 * weights of g, d and g_ema bit for bit, each of `files` byte for byte, and
 * the same state.json (as `comparableState` reads it). Returns that state.
 */
export async function expectSameCheckpoint(
  actual: string,
  expected: string,
  step: number,
  files: string[],
): Promise<Record<string, unknown>> {
  for (const model of ['g', 'd', 'g_ema']) {
    expect(
      sameWeights(await checkpointWeights(actual, step, model), await checkpointWeights(expected, step, model)),
      model,
    ).toBe(true);
  }
  for (const file of files) {
    const [a, b] = await Promise.all(
      [actual, expected].map((dir) => readFile(path.join(checkpointDir(dir, step), file))),
    );
    expect(Buffer.compare(a, b), file).toBe(0);
  }
  const state = await comparableState(actual, step);
  expect(state).toEqual(await comparableState(expected, step));
  return state;
}
