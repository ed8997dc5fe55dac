/** Shared helpers for the dataset tests: temp folders and synthetic images. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll } from 'vitest';
import type { ImportOptions } from '../../../src/engine/dataset/index.js';

export async function makeTempDir(prefix = 'gan-ds-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755).catch(() => {});
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * A data folder and a private cache folder for one test file: made before
 * its tests, handed to `set`, and removed after them.
 */
export function suiteTempDirs(set: (tmp: string, cache: string) => void): void {
  const made: string[] = [];
  beforeAll(async () => {
    made.push(await makeTempDir(), await makeTempDir('gan-ds-cache-'));
    set(made[0], made[1]);
  });
  afterAll(async () => {
    for (const dir of made) await removeDir(dir);
  });
}

/** Default import options for tests; always with a private cache folder. */
export function testOptions(cacheDir: string, over: Partial<ImportOptions> = {}): ImportOptions {
  return { resolution: 16, channels: 3, resize: 'crop', background: '#ffffff', minSize: 8, cacheDir, ...over };
}

export type Rgba = [number, number, number, number];

/** width×height RGBA raw pixels from a function of (x, y). */
export function rawRgba(width: number, height: number, fn: (x: number, y: number) => Rgba): Buffer {
  const buf = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) buf.set(fn(x, y), (y * width + x) * 4);
  }
  return buf;
}

/** A sharp instance of an RGBA image drawn by fn. */
export function drawRgba(width: number, height: number, fn: (x: number, y: number) => Rgba): Sharp {
  return sharp(rawRgba(width, height, fn), { raw: { width, height, channels: 4 } });
}

/** A solid RGB image (no alpha channel in the file). */
export function solidRgb(width: number, height: number, r: number, g: number, b: number): Sharp {
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
}

/** A true single-channel grayscale PNG buffer. */
export async function grayPng(width: number, height: number, value: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height, value);
  return sharp(raw, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

export async function writeFile(dir: string, rel: string, data: Buffer | string): Promise<string> {
  const p = path.join(dir, rel);
  await fs.mkdir(path.dirname(p), { recursive: true });
  await fs.writeFile(p, data);
  return p;
}

/** Pixel (x, y) of image `index` of a NHWC uint8 array. */
export function pixelAt(pixels: Uint8Array, res: number, ch: number, index: number, x: number, y: number): number[] {
  const off = ((index * res + y) * res + x) * ch;
  return Array.from(pixels.subarray(off, off + ch));
}

export function expectClose(actual: number[], expected: number[], tol: number): void {
  const ok = actual.length === expected.length && actual.every((v, i) => Math.abs(v - expected[i]) <= tol);
  if (!ok) throw new Error(`expected ${JSON.stringify(actual)} to be within ${tol} of ${JSON.stringify(expected)}`);
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
