/**
 * Scaled output (real sharp, real gifenc): PNGs, PNG frames and GIFs at a
 * chosen scale, crisp (nearest) or smooth (Lanczos), and GIF timing.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/engine/errors';
import { encodeGif, gifDelayCs } from '../../../src/engine/image/gif';
import { imagePng } from '../../../src/engine/image/png';
import { checkUpscale, upscalePixels } from '../../../src/engine/image/scale';

/** A 12×12 test card: a diagonal gradient with hard-edged squares (so smoothing shows). */
function card(channels: 1 | 3, size = 12, shift = 0): Uint8Array {
  const out = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) {
        const square = ((x >> 2) + (y >> 2) + shift) % 2 === 0;
        out[(y * size + x) * channels + c] = square ? 255 - c * 40 : ((x + y) * 9 + c * 30) % 200;
      }
  return out;
}

/** Exact nearest-neighbour replication, written out by hand. */
function replicate(px: Uint8Array, size: number, channels: number, scale: number): Uint8Array {
  const out = new Uint8Array(size * scale * size * scale * channels);
  for (let y = 0; y < size * scale; y++)
    for (let x = 0; x < size * scale; x++)
      for (let c = 0; c < channels; c++)
        out[(y * size * scale + x) * channels + c] =
          px[(Math.floor(y / scale) * size + Math.floor(x / scale)) * channels + c];
  return out;
}

describe('upscaling with a filter', () => {
  for (const channels of [1, 3] as const) {
    it(`enlarges ${channels}-channel pixels: nearest replicates exactly, lanczos differs and stays ${channels}-channel`, async () => {
      const px = card(channels);
      const nearest = await upscalePixels(px, 12, 12, channels, 4, 'nearest');
      const lanczos = await upscalePixels(px, 12, 12, channels, 4, 'lanczos');
      expect(nearest.length).toBe(48 * 48 * channels);
      expect(lanczos.length).toBe(48 * 48 * channels);
      expect(Buffer.from(nearest).equals(Buffer.from(replicate(px, 12, channels, 4)))).toBe(true);
      let differing = 0;
      for (let i = 0; i < nearest.length; i++) if (nearest[i] !== lanczos[i]) differing++;
      // Smoothing changes the pixels near every edge, not a stray few.
      expect(differing / nearest.length).toBeGreaterThan(0.1);
      // …and only smooths: the mean brightness stays within a couple of levels.
      const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
      expect(Math.abs(mean(lanczos) - mean(nearest))).toBeLessThan(3);
    });
  }

  it('writes PNGs of the scaled size with either filter, different pixels for lanczos', async () => {
    const batch = { count: 1, height: 12, width: 12, channels: 3, bytes: card(3) };
    const crisp = await sharp(await imagePng(batch, 0, 5, 'nearest'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const smooth = await sharp(await imagePng(batch, 0, 5, 'lanczos'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([crisp.info.width, crisp.info.height, smooth.info.width, smooth.info.height]).toEqual([60, 60, 60, 60]);
    expect(crisp.data.equals(Buffer.from(replicate(card(3), 12, 3, 5)))).toBe(true);
    expect(smooth.data.equals(crisp.data)).toBe(false);
  });

  it('refuses a bad scale or filter with a line naming it', () => {
    expect(() => checkUpscale(0)).toThrow(/scale must be a whole number from 1/);
    expect(() => checkUpscale(2.5)).toThrow(UserError);
    expect(() => checkUpscale(2, 'bicubic')).toThrow(/Unknown upscale filter "bicubic".*nearest, lanczos/);
    expect(checkUpscale(3, 'lanczos')).toBe('lanczos');
  });
});

describe('GIFs', () => {
  it('keeps the running time on the frame rate in whole centiseconds', () => {
    const delays = Array.from({ length: 24 }, (_, i) => gifDelayCs(i, 24));
    expect(delays.reduce((a, b) => a + b, 0)).toBe(100); // 24 frames last exactly 1 s, not 0.96 s
    expect(new Set(delays)).toEqual(new Set([4, 5]));
    expect(Array.from({ length: 10 }, (_, i) => gifDelayCs(i, 10))).toEqual(Array(10).fill(10));
  });

  it('encodes scaled gray frames losslessly, at the size and frame count asked for', async () => {
    const frames = await Promise.all([0, 1, 2].map((s) => upscalePixels(card(1, 12, s), 12, 12, 1, 4, 'lanczos')));
    const gif = encodeGif(frames, 48, 48, 1, { fps: 12 });
    const meta = await sharp(gif, { animated: true }).metadata();
    expect([meta.width, meta.pageHeight, meta.pages]).toEqual([48, 48, 3]);
    expect(meta.loop).toBe(0); // forever
    expect(meta.delay).toEqual([80, 90, 80]); // 12 fps in centiseconds: 8, 9, 8 (sharp reports ms)
    // Frame 2 decoded is exactly the gray frame given (a fixed 256-gray palette, no quantizing).
    const decoded = await sharp(gif, { page: 2 }).extractChannel(0).raw().toBuffer();
    expect(decoded.equals(Buffer.from(frames[2]))).toBe(true);
  });

  it('encodes colour frames at the size asked for, close to the input', async () => {
    const frame = await upscalePixels(card(3), 12, 12, 3, 3, 'nearest');
    const gif = encodeGif([frame, frame], 36, 36, 3, { fps: 24, loop: false });
    const meta = await sharp(gif, { animated: true }).metadata();
    expect([meta.width, meta.pageHeight, meta.pages]).toEqual([36, 36, 2]);
    const decoded = await sharp(gif, { page: 0 }).removeAlpha().raw().toBuffer();
    let err = 0;
    for (let i = 0; i < frame.length; i++) err = Math.max(err, Math.abs(decoded[i] - frame[i]));
    expect(err).toBeLessThan(12); // few colours: the palette holds them nearly exactly
  });

  it('refuses a frame rate a GIF cannot play', () => {
    expect(() => encodeGif([card(1)], 12, 12, 1, { fps: 60 })).toThrow(/at most 50/);
  });
});
