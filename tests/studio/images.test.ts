/** The studio's small image helpers: PNG encoding and resampling; and the config diff. (slerp paths: tests/engine/generate/seed-rule.test.ts) */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng, resizePixels } from '../../src/studio/images';
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
    expect(Array.from(resizePixels(px, 2, 2, 1, 4, 4))).toEqual([
      0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 50, 50, 200, 200, 50, 50,
    ]);
    expect(Array.from(resizePixels(px, 2, 2, 1, 1, 1))).toEqual([88]);
  });
});

describe('diffConfigs', () => {
  it('lists the dotted paths that differ', () => {
    expect(
      diffConfigs({ a: 1, g: { lr: 1, beta1: 0.5 }, x: [1] }, { a: 1, g: { lr: 2, beta1: 0.5 }, x: [2], y: true }),
    ).toEqual([
      { path: 'g.lr', a: 1, b: 2 },
      { path: 'x', a: [1], b: [2] },
      { path: 'y', a: null, b: true },
    ]);
  });
});
