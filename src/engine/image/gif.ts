/**
 * Animated GIFs of generated frames, with gifenc (a small, pure-JS encoder).
 *
 * - Gray frames are written losslessly: a fixed palette of the 256 grays,
 *   the pixel value being its own palette index (quantizing gray through
 *   RGB565 would leave about 32 levels and visible banding).
 * - Colour frames get their own 256-colour palette each (gifenc's quantizer).
 * - GIF delays are whole centiseconds: each frame's delay is rounded so that
 *   the running total stays on the requested frame rate (24 fps plays at 24,
 *   not at the 25 a fixed 4 cs would give).
 */
import * as gifencModule from 'gifenc';
import { UserError } from '../errors';

/**
 * gifenc ships ESM for bundlers and CommonJS without named exports for Node:
 * its functions arrive as named exports or on the default export, by loader.
 */
const gifenc: typeof gifencModule.default =
  typeof gifencModule.GIFEncoder === 'function' ? gifencModule : gifencModule.default;

/** Browsers slow down frames shorter than 2 cs, so a GIF plays at most 50 fps. */
export const MAX_GIF_FPS = 50;

export interface GifOptions {
  fps: number;
  /** Play forever (default) or once. */
  loop?: boolean;
}

const GRAY_PALETTE = Array.from({ length: 256 }, (_, v) => [v, v, v]);

/** Delay of frame i in centiseconds, so the first i + 1 frames last (i + 1) / fps seconds, rounded. */
export function gifDelayCs(i: number, fps: number): number {
  return Math.round(((i + 1) * 100) / fps) - Math.round((i * 100) / fps);
}

/** RGB(A) or gray frames as RGBA, for the quantizer. */
function toRgba(src: Uint8Array, channels: number): Uint8Array {
  const n = src.length / channels;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    out[i * 4] = src[s];
    out[i * 4 + 1] = src[channels >= 3 ? s + 1 : s];
    out[i * 4 + 2] = src[channels >= 3 ? s + 2 : s];
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** Frames of `width`×`height` pixels with `channels` channels (1: gray, 3: RGB, 4: RGBA, alpha dropped) as one GIF. */
export function encodeGif(
  frames: Uint8Array[],
  width: number,
  height: number,
  channels: number,
  options: GifOptions,
  onFrame?: (done: number, total: number) => void,
): Uint8Array {
  const { fps, loop = true } = options;
  if (!(fps > 0 && fps <= MAX_GIF_FPS))
    throw new UserError(`fps must be above 0 and at most ${MAX_GIF_FPS} for a GIF (got ${fps}).`);
  if (frames.length === 0) throw new UserError('A GIF needs at least one frame.');
  const gif = gifenc.GIFEncoder();
  for (let i = 0; i < frames.length; i++) {
    if (frames[i].length !== width * height * channels)
      throw new RangeError(`frame ${i} has ${frames[i].length} bytes, not ${width}×${height}×${channels}`);
    let index: Uint8Array;
    let palette: number[][];
    if (channels === 1) {
      index = frames[i];
      palette = GRAY_PALETTE;
    } else {
      const rgba = toRgba(frames[i], channels);
      palette = gifenc.quantize(rgba, 256, { format: 'rgb565' });
      index = gifenc.applyPalette(rgba, palette, 'rgb565');
    }
    // gifenc takes milliseconds and rounds them to centiseconds.
    gif.writeFrame(index, width, height, { palette, delay: gifDelayCs(i, fps) * 10, repeat: loop ? 0 : -1 });
    onFrame?.(i + 1, frames.length);
  }
  gif.finish();
  return gif.bytes();
}
