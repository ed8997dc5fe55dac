/**
 * Validation and defaults of ImportOptions. Bad values become a DatasetError
 * with one line naming the option, never a crash deep inside sharp.
 */
import os from 'node:os';
import path from 'node:path';
import { RESIZE_MODES, type ResizeMode } from '../../shared/config.js';
import { DatasetError, type ImportOptions, type ImportProgress } from './types.js';

const MAX_RESOLUTION = 4096;

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** ImportOptions checked and completed. */
export interface ResolvedOptions {
  resolution: number;
  channels: 1 | 3;
  resize: ResizeMode;
  /** Lower-case '#rrggbb'. */
  background: string;
  backgroundRgb: Rgb;
  minSize: number;
  /** null: caching off. */
  cacheDir: string | null;
  concurrency: number;
  onProgress: (p: ImportProgress) => void;
  signal?: AbortSignal;
}

/**
 * The cache folder when none is given: `$GAN_STUDIO_CACHE/datasets` if that
 * variable is set (it names GAN Studio's cache root), else
 * `~/.cache/gan-studio/datasets`.
 */
export function defaultCacheDir(): string {
  const root = process.env.GAN_STUDIO_CACHE?.trim();
  return root ? path.join(path.resolve(root), 'datasets') : path.join(os.homedir(), '.cache', 'gan-studio', 'datasets');
}

function parseHexColor(s: string): Rgb | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s);
  if (!m) return null;
  return { r: parseInt(m[1], 16), g: parseInt(m[2], 16), b: parseInt(m[3], 16) };
}

export function resolveOptions(opts: ImportOptions): ResolvedOptions {
  if (opts === null || typeof opts !== 'object') throw new DatasetError('Import options are missing');
  const { resolution, channels, resize, background, minSize } = opts;
  if (!Number.isInteger(resolution) || resolution < 1 || resolution > MAX_RESOLUTION) {
    throw new DatasetError(
      `Invalid resolution ${String(resolution)}: must be a whole number from 1 to ${MAX_RESOLUTION}`,
    );
  }
  if (channels !== 1 && channels !== 3) {
    throw new DatasetError(`Invalid channels ${String(channels)}: must be 1 (grayscale) or 3 (colour)`);
  }
  if (!(RESIZE_MODES as readonly string[]).includes(resize)) {
    throw new DatasetError(`Invalid resize mode ${String(resize)}: must be one of ${RESIZE_MODES.join(', ')}`);
  }
  const rgb = typeof background === 'string' ? parseHexColor(background) : null;
  if (!rgb) throw new DatasetError(`Invalid background ${String(background)}: must be a colour like #ffffff`);
  if (!Number.isInteger(minSize) || minSize < 1) {
    throw new DatasetError(`Invalid minSize ${String(minSize)}: must be a whole number of at least 1`);
  }
  // Two files per core: one decodes while the other is read from disk.
  const concurrency = opts.concurrency ?? Math.min(8, Math.max(2, 2 * os.availableParallelism()));
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DatasetError(`Invalid concurrency ${String(opts.concurrency)}: must be a whole number of at least 1`);
  }
  const cacheDir = opts.cache === false ? null : path.resolve(opts.cacheDir ?? defaultCacheDir());
  return {
    resolution,
    channels,
    resize,
    background: background.toLowerCase(),
    backgroundRgb: rgb,
    minSize,
    cacheDir,
    concurrency,
    onProgress: opts.onProgress ?? (() => {}),
    signal: opts.signal,
  };
}
