/**
 * Turn generator output (NHWC in [-1, 1]) into PNG files: single images and
 * grids. sharp does the encoding; the pixel packing is ours because it is a
 * few lines and sharp has no notion of a batch.
 */
import type * as tf from '@tensorflow/tfjs';
import type { UpscaleFilter } from '../../shared/upscale';
import { scaledImage } from './scale';

/** Map [-1, 1] floats to bytes, clamped and rounded. */
export function toBytes(values: Float32Array | Int32Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round((values[i] + 1) * 127.5);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** Images of one batch as bytes, plus their geometry. */
export interface ImageBatch {
  count: number;
  height: number;
  width: number;
  channels: number;
  bytes: Uint8Array;
}

export async function readBatch(images: tf.Tensor4D): Promise<ImageBatch> {
  const [count, height, width, channels] = images.shape;
  return { count, height, width, channels, bytes: toBytes((await images.data()) as Float32Array) };
}

export interface GridOptions {
  /** Images per row; default: a near-square layout. */
  columns?: number;
  /** Gap between images, in pixels. */
  gap?: number;
  /** Integer upscale, so 28-pixel samples stay readable. */
  scale?: number;
  /** How to upscale: crisp pixels (default) or smooth Lanczos. */
  filter?: UpscaleFilter;
  background?: number;
}

/** One PNG with every image of the batch, row-major. */
export async function gridPng(batch: ImageBatch, options: GridOptions = {}): Promise<Buffer> {
  const { count, height, width, channels, bytes } = batch;
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const gap = options.gap ?? 2;
  const gridW = columns * width + (columns + 1) * gap;
  const gridH = rows * height + (rows + 1) * gap;
  const grid = new Uint8Array(gridW * gridH * channels).fill(options.background ?? 24);
  const imageSize = height * width * channels;
  for (let n = 0; n < count; n++) {
    const x0 = gap + (n % columns) * (width + gap);
    const y0 = gap + Math.floor(n / columns) * (height + gap);
    for (let y = 0; y < height; y++) {
      const src = n * imageSize + y * width * channels;
      grid.set(bytes.subarray(src, src + width * channels), ((y0 + y) * gridW + x0) * channels);
    }
  }
  return scaledImage(grid, gridW, gridH, channels, options.scale ?? 1, options.filter)
    .png()
    .toBuffer();
}

/** The n-th image of the batch as a PNG, upscaled `scale` times with `filter`. */
export async function imagePng(
  batch: ImageBatch,
  n: number,
  scale = 1,
  filter: UpscaleFilter = 'nearest',
): Promise<Buffer> {
  const { height, width, channels, bytes } = batch;
  const size = height * width * channels;
  return scaledImage(bytes.subarray(n * size, (n + 1) * size), width, height, channels, scale, filter)
    .png()
    .toBuffer();
}
