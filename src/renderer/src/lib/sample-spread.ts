/**
 * How much the tiles of a sample grid differ: the mode-collapse signal. A
 * grid is `columns` tiles wide with a 2 px gap around each tile (as
 * engine/image/png.ts gridPng writes it). For a sample of pixel positions,
 * the standard deviation of the grey value across tiles, averaged: about 0
 * when every tile is the same image (or all white), well above 0.05 for
 * samples that vary.
 */

import type { SampleSpread } from './health';

/** Gap between tiles in a saved grid, px (gridPng's default). */
export const GRID_GAP = 2;

/**
 * The spread (0–1) of an RGBA grid `width`×`height` of `columns`×rows tiles;
 * null when the size does not fit that layout or there is one tile.
 */
export function gridSpread(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  columns: number,
  gap = GRID_GAP,
  samplesPerTile = 256,
): number | null {
  const tile = (width - (columns + 1) * gap) / columns;
  if (!Number.isInteger(tile) || tile < 1) return null;
  const rows = Math.round((height - gap) / (tile + gap));
  const tiles = columns * rows;
  if (rows < 1 || tiles < 2) return null;
  const stride = Math.max(1, Math.floor((tile * tile) / samplesPerTile));
  let sum = 0;
  let n = 0;
  for (let p = 0; p < tile * tile; p += stride) {
    const px = p % tile;
    const py = Math.floor(p / tile);
    let mean = 0;
    let sq = 0;
    for (let t = 0; t < tiles; t++) {
      const x = gap + (t % columns) * (tile + gap) + px;
      const y = gap + Math.floor(t / columns) * (tile + gap) + py;
      const i = (y * width + x) * 4;
      const grey = (rgba[i] + rgba[i + 1] + rgba[i + 2]) / (3 * 255);
      mean += grey;
      sq += grey * grey;
    }
    mean /= tiles;
    sum += Math.sqrt(Math.max(0, sq / tiles - mean * mean));
    n++;
  }
  return n > 0 ? sum / n : null;
}

/** Decode a grid image (data: or same-origin URL) and measure its spread; null where the page cannot decode it. */
export async function measureGridSpread(src: string, columns: number): Promise<number | null> {
  if (typeof document === 'undefined' || typeof Image === 'undefined') return null;
  const img = new Image();
  img.src = src;
  try {
    await img.decode();
  } catch {
    return null;
  }
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  if (!ctx || canvas.width === 0) return null;
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  return gridSpread(data, canvas.width, canvas.height, columns);
}

/**
 * The spread of the newest grid on the timeline, with the highest spread of
 * the earlier ones that were measured: collapse is samples that no longer
 * vary, so the health check needs to know whether they ever did (a young G's
 * tiles are all the same grey). Only grids still on the timeline count, so a
 * resume, which drops the grids of a killed segment, drops their spreads too.
 * Null while the newest grid is not measured.
 */
export function spreadOnShow(
  timeline: readonly { step: number }[],
  measured: ReadonlyMap<number, number>,
): SampleSpread | null {
  const newest = timeline[timeline.length - 1];
  const value = newest ? measured.get(newest.step) : undefined;
  if (!newest || value === undefined) return null;
  let peak: number | null = null;
  for (const s of timeline) {
    const v = s.step < newest.step ? measured.get(s.step) : undefined;
    if (v !== undefined && (peak === null || v > peak)) peak = v;
  }
  return { step: newest.step, spread: value, peak };
}
