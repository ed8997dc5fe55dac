/**
 * The tuxpaint stamps that the small-data benches train on (Debian's
 * tuxpaint-stamps-default): where they are, how they are picked, imported and split,
 * so that bench/small-data-recipes.ts and bench/recipe-step-cost.ts use the same images.
 */
import { copyFile, mkdtemp, readdir } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseHoldout, type HoldoutSplit } from '../src/engine/metrics/holdout';

export const STAMPS = '/usr/share/tuxpaint/stamps';
export const STAMP_RESOLUTION = 64;

/** Colour with alpha, padded onto white at 64 px: the "clip-art padded onto white". */
export const stampImportOptions = {
  resolution: STAMP_RESOLUTION,
  channels: 3 as const,
  resize: 'pad' as const,
  background: '#ffffff',
  minSize: 8,
};

/** Every stamp PNG under `dir`, sorted (the mirrored and thumbnail variants left out). */
export async function pngsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await pngsUnder(p)));
    else if (e.name.endsWith('.png') && !e.name.includes('_mirror') && !e.name.includes('thumb')) out.push(p);
  }
  return out.sort();
}

/** `n` indices spread evenly over 0 … total − 1 (so a pick covers every stamp category). */
export function spreadIndices(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, k) => Math.floor((k * total) / n));
}

/** `n` of `all`, spread evenly. */
export function spreadEvenly<T>(all: T[], n: number): T[] {
  return spreadIndices(all.length, n).map((i) => all[i]);
}

/** The fixed split of the picked stamps: 20% held out (at most 2,000), seed 1. */
export function stampSplit(count: number): HoldoutSplit {
  return chooseHoldout(count, 0.2, 2000, 1);
}

/** Folders made by folderOf, removed at exit. */
const madeFolders: string[] = [];
process.on('exit', () => {
  for (const dir of madeFolders) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh flat folder holding `files` (no class subfolders: unconditional), private to
 * this process and removed at exit: runs side by side (one recipe each) must not share
 * one and rebuild it under each other's feet.
 */
export async function folderOf(name: string, files: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  madeFolders.push(dir);
  for (let k = 0; k < files.length; k++) await copyFile(files[k], path.join(dir, `${String(k).padStart(4, '0')}.png`));
  return dir;
}

/** This process's CPU time so far, user + system, in seconds. */
export function cpuTime(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
