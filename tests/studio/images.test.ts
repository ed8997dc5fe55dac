/** The studio's small image helpers: PNG encoding, resampling, slerp paths; and the config diff. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng, interpolationPath, resizePixels, slerp } from '../../src/studio/images';
import { diffConfigs } from '../../src/studio/runs';

describe('encodePng', () => {
  it.each([1, 2, 3, 4] as const)('round-trips %i-channel pixels through sharp', async (channels) => {
    const w = 7;
    const h = 5;
    const px = Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 37) % 256);
    const png = encodePng(px, w, h, channels);
    const meta = await sharp(png).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([w, h, channels]);
    // sharp decodes gray as sRGB: compare band 0 (and alpha) for the gray layouts.
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const back = new Uint8Array(w * h * channels);
    for (let i = 0; i < w * h; i++) {
      if (channels <= 2) {
        back[i * channels] = data[i * info.channels];
        if (channels === 2) back[i * 2 + 1] = data[i * info.channels + 3];
      } else back.set(data.subarray(i * channels, (i + 1) * channels), i * channels);
    }
    expect(back).toEqual(px);
  });
});

describe('resizePixels', () => {
  it('enlarges with nearest neighbour and shrinks with a box average', () => {
    const px = Uint8Array.from([0, 100, 200, 50]); // 2×2 gray
    expect(Array.from(resizePixels(px, 2, 2, 1, 4, 4))).toEqual([0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 50, 50, 200, 200, 50, 50]);
    expect(Array.from(resizePixels(px, 2, 2, 1, 1, 1))).toEqual([88]);
  });
});

describe('slerp', () => {
  const a = Float32Array.from([1, 0, 0]);
  const b = Float32Array.from([0, 2, 0]);
  it('hits both ends and moves along the arc', () => {
    expect(Array.from(slerp(a, b, 0))).toEqual([1, 0, 0]);
    const end = slerp(a, b, 1);
    expect(end[0]).toBeCloseTo(0, 6);
    expect(end[1]).toBeCloseTo(2, 6);
    const mid = slerp(a, b, 0.5);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(mid[1]).toBeCloseTo(2 * Math.SQRT1_2, 5);
  });
  it('falls back to a straight line for parallel vectors', () => {
    const mid = slerp(a, Float32Array.from([3, 0, 0]), 0.5);
    expect(Array.from(mid)).toEqual([2, 0, 0]);
  });
  it('builds open and looping paths through every point', () => {
    const pts = [a, b, Float32Array.from([0, 0, 1])];
    const open = interpolationPath(pts, 4, false);
    expect(open).toHaveLength(9);
    expect(Array.from(open[4])).toEqual(Array.from(slerp(b, pts[2], 0)));
    expect(Array.from(open[8])).toEqual([0, 0, 1]);
    expect(interpolationPath(pts, 4, true)).toHaveLength(12);
  });
});

describe('diffConfigs', () => {
  it('lists the dotted paths that differ', () => {
    expect(diffConfigs({ a: 1, g: { lr: 1, beta1: 0.5 }, x: [1] }, { a: 1, g: { lr: 2, beta1: 0.5 }, x: [2], y: true })).toEqual([
      { path: 'g.lr', a: 1, b: 2 },
      { path: 'x', a: [1], b: [2] },
      { path: 'y', a: null, b: true },
    ]);
  });
});
