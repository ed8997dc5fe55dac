/**
 * Writing many generated images to a folder: batch by batch, so memory stays
 * bounded however many are asked for, with progress after each batch.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import { gridPng, imagePng, type ImageBatch } from '../image/png';
import { checkUpscale } from '../image/scale';
import { writeFileAtomic } from '../io/atomic';
import type { UpscaleFilter } from '../../shared/upscale';
import { checkClass, type LoadedGenerator } from './generator';
import { generateSeeds, GENERATE_BATCH } from './images';
import { classOf, seedOf } from './rule';

/** The most images one call may write (a million PNGs is already far more than a folder should hold). */
export const MAX_BATCH_IMAGES = 1_000_000;
/** The most images a grid may hold: the grid is built in memory. */
export const MAX_GRID_IMAGES = 1024;

export interface WriteBatchOptions {
  dir: string;
  /** Image k is the image of seed seed + k (the seed rule). */
  seed: number;
  count: number;
  truncation?: number;
  /** Conditional generators: the class of every image; default: image k gets class k mod numClasses. */
  class?: number | null;
  /** Integer upscale of the PNGs. */
  scale?: number;
  /** How they are upscaled: crisp pixels (nearest, default) or smooth (Lanczos). */
  filter?: UpscaleFilter;
  /** Also write grid.png with every image (at most MAX_GRID_IMAGES). */
  grid?: boolean;
  /** The file name of image k; default `seed<s>-<k>.png`, k zero-padded to `digits`. */
  fileName?: (image: { seed: number; k: number; class: number | null; digits: number }) => string;
  /** After each written batch. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  batchSize?: number;
}

export interface WriteBatchResult {
  dir: string;
  files: number;
  grid: string | null;
}

/** The name `gan-studio generate` gives image k of seed s. */
export function defaultImageName(seed: number, k: number, digits: number): string {
  return `seed${seed}-${String(k).padStart(digits, '0')}.png`;
}

/** Check a count before any work: a whole number in 1..MAX_BATCH_IMAGES. */
export function checkImageCount(count: number, grid = false): void {
  if (!Number.isInteger(count) || count < 1)
    throw new UserError(`The number of images must be a whole number of at least 1 (got ${count}).`);
  if (count > MAX_BATCH_IMAGES) {
    throw new UserError(
      `${count.toLocaleString('en-US')} images is more than one call may write (at most ${MAX_BATCH_IMAGES.toLocaleString('en-US')}); split it into several calls with different seeds.`,
    );
  }
  if (grid && count > MAX_GRID_IMAGES)
    throw new UserError(
      `A grid holds at most ${MAX_GRID_IMAGES} images (${count} asked for); write the images without the grid, or fewer of them.`,
    );
}

/** Make sure `dir` is a folder we can write into (creating it), with one clear line when it is a file. */
export async function prepareOutputFolder(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory())
    throw new UserError(`${dir} is a file, not a folder: give a folder to write the images into.`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new UserError(`Cannot create the folder ${dir}: part of that path is a file.`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new UserError(`Cannot create the folder ${dir}: permission denied.`);
    throw err;
  }
}

/** Write `count` images of consecutive seeds into `dir`, batch by batch. */
export async function writeSeedBatch(gen: LoadedGenerator, options: WriteBatchOptions): Promise<WriteBatchResult> {
  const { dir, seed, count } = options;
  checkImageCount(count, options.grid);
  const scale = options.scale ?? 1;
  const filter = checkUpscale(scale, options.filter);
  const fixed = checkClass(gen, options.class);
  await prepareOutputFolder(dir);
  const batchSize = options.batchSize ?? GENERATE_BATCH;
  const digits = Math.max(4, String(count - 1).length);
  const name = options.fileName ?? ((im) => defaultImageName(seed, im.k, im.digits));
  const gridParts: ImageBatch[] = [];
  options.onProgress?.(0, count);
  for (let start = 0; start < count; start += batchSize) {
    options.signal?.throwIfAborted();
    const n = Math.min(batchSize, count - start);
    const seeds = Array.from({ length: n }, (_, i) => seedOf(seed, start + i));
    const classes = gen.numClasses > 0 ? seeds.map((_, i) => classOf(start + i, gen.numClasses, fixed)!) : null;
    const images = await generateSeeds(gen, seeds, { truncation: options.truncation, classes, batchSize });
    for (let i = 0; i < n; i++) {
      const file = name({ seed: seeds[i], k: start + i, class: classes?.[i] ?? null, digits });
      await writeFileAtomic(path.join(dir, file), await imagePng(images, i, scale, filter));
    }
    if (options.grid) gridParts.push(images);
    options.onProgress?.(start + n, count);
  }
  let grid: string | null = null;
  if (options.grid) {
    grid = path.join(dir, 'grid.png');
    await writeFileAtomic(grid, await gridPng(joinBatches(gridParts), { scale, filter }));
  }
  return { dir, files: count, grid };
}

function joinBatches(parts: ImageBatch[]): ImageBatch {
  const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.bytes.length, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(p.bytes, offset);
    offset += p.bytes.length;
  }
  const { height, width, channels } = parts[0];
  return { count: parts.reduce((sum, p) => sum + p.count, 0), height, width, channels, bytes };
}
