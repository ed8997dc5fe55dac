/**
 * Enlarging generated images for saving, with the filter the user chose
 * (src/shared/upscale.ts): sharp's nearest kernel (exact pixel replication at
 * an integer scale) or its lanczos3 kernel (smooth). One place, so the CLI's
 * PNGs, the studio's PNGs, batches, PNG sequences and GIFs agree.
 */
import sharp, { type Sharp } from 'sharp';
import { UPSCALE_FILTERS, type UpscaleFilter } from '../../shared/upscale';
import { UserError } from '../errors';

/** The largest integer upscale accepted anywhere. */
export const MAX_UPSCALE = 32;

/** Check the upscale options before any work, naming the option that is wrong. */
export function checkUpscale(scale: number, filter: string = 'nearest'): UpscaleFilter {
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_UPSCALE)
    throw new UserError(`scale must be a whole number from 1 to ${MAX_UPSCALE} (got ${scale}).`);
  if (!(UPSCALE_FILTERS as readonly string[]).includes(filter))
    throw new UserError(`Unknown upscale filter "${filter}". Choose one of: ${UPSCALE_FILTERS.join(', ')}.`);
  return filter as UpscaleFilter;
}

/** sharp's resize kernel for a filter. */
function sharpKernel(filter: UpscaleFilter): 'nearest' | 'lanczos3' {
  return filter === 'lanczos' ? 'lanczos3' : 'nearest';
}

/**
 * A sharp pipeline of 8-bit raw pixels (1, 3 or 4 channels), enlarged
 * `scale` times; gray stays gray (sharp would widen it to RGB otherwise).
 */
export function scaledImage(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  scale: number,
  filter: UpscaleFilter = 'nearest',
): Sharp {
  let image = sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width, height, channels: channels as 1 | 3 | 4 },
  });
  if (scale > 1) image = image.resize(width * scale, height * scale, { kernel: sharpKernel(filter) });
  if (channels === 1) image = image.toColourspace('b-w');
  return image;
}

/** Raw pixels enlarged `scale` times with the filter; same channel count, row-major. */
export async function upscalePixels(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  scale: number,
  filter: UpscaleFilter = 'nearest',
): Promise<Uint8Array> {
  if (scale === 1) return pixels;
  const data = await scaledImage(pixels, width, height, channels, scale, filter).raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
