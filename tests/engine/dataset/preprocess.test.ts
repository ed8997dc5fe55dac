/** Decoding and preprocessing: colour layouts, alpha, squaring, formats, orientation, batch(). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/engine/dataset/index.js';
import {
  drawRgba,
  expectClose,
  grayPng,
  makeTempDir,
  pixelAt,
  removeDir,
  solidRgb,
  testOptions,
  writeFile,
} from './helpers.js';
import type { Rgba } from './helpers.js';
import sharp from 'sharp';

let tmp: string;
let cache: string;
let n = 0;

beforeAll(async () => {
  tmp = await makeTempDir();
  cache = await makeTempDir('gan-ds-cache-');
});
afterAll(async () => {
  await removeDir(tmp);
  await removeDir(cache);
});

/** A fresh folder holding the given files. */
async function folder(files: Record<string, Buffer | string>): Promise<string> {
  const dir = `${tmp}/case-${n++}`;
  for (const [rel, data] of Object.entries(files)) await writeFile(dir, rel, data);
  return dir;
}

describe('colour layouts', () => {
  it('imports a 1-channel grayscale PNG as gray or as equal RGB', async () => {
    const dir = await folder({ 'g.png': await grayPng(20, 20, 100) });
    const g = await importDataset(dir, testOptions(cache, { channels: 1 }));
    expect(g.count).toBe(1);
    expect(g.pixels.length).toBe(16 * 16);
    expect(new Set(g.pixels)).toEqual(new Set([100]));
    expect(g.report.sourceChannels.gray).toBe(1);

    const c = await importDataset(dir, testOptions(cache, { channels: 3 }));
    expect(c.pixels.length).toBe(16 * 16 * 3);
    expect(new Set(c.pixels)).toEqual(new Set([100]));
  });

  it('imports RGB exactly and converts it to Rec. 601 luma for 1 channel', async () => {
    const dir = await folder({ 'c.png': await solidRgb(24, 24, 200, 50, 25).png().toBuffer() });
    const rgb = await importDataset(dir, testOptions(cache));
    expect(rgb.report.sourceChannels.rgb).toBe(1);
    for (let i = 0; i < rgb.pixels.length; i += 3)
      expect([rgb.pixels[i], rgb.pixels[i + 1], rgb.pixels[i + 2]]).toEqual([200, 50, 25]);
    const gray = await importDataset(dir, testOptions(cache, { channels: 1 }));
    const luma = Math.round(0.299 * 200 + 0.587 * 50 + 0.114 * 25); // 92
    expect(new Set(gray.pixels)).toEqual(new Set([luma]));
  });

  it('composites RGBA onto the background colour', async () => {
    // Left half opaque red, right half fully transparent green, a middle band half-transparent.
    const png = await drawRgba(32, 32, (x, y): Rgba => {
      if (y >= 12 && y < 20) return [255, 0, 0, 128];
      return x < 16 ? [255, 0, 0, 255] : [0, 255, 0, 0];
    })
      .png()
      .toBuffer();
    const dir = await folder({ 'a.png': png });
    const ds = await importDataset(dir, testOptions(cache, { resolution: 32, background: '#0000ff' }));
    expect(ds.report.sourceChannels.rgba).toBe(1);
    expect(pixelAt(ds.pixels, 32, 3, 0, 2, 2)).toEqual([255, 0, 0]); // opaque red stays red
    expect(pixelAt(ds.pixels, 32, 3, 0, 28, 2)).toEqual([0, 0, 255]); // transparent → background
    expect(pixelAt(ds.pixels, 32, 3, 0, 28, 30)).toEqual([0, 0, 255]);
    expectClose(pixelAt(ds.pixels, 32, 3, 0, 8, 16), [128, 0, 127], 2); // 50 % red over blue

    // Grayscale output of the same: transparent area is the background's luma.
    const g = await importDataset(dir, testOptions(cache, { resolution: 32, background: '#0000ff', channels: 1 }));
    expect(pixelAt(g.pixels, 32, 1, 0, 28, 2)).toEqual([Math.round(0.114 * 255)]);
    expect(pixelAt(g.pixels, 32, 1, 0, 2, 2)).toEqual([Math.round(0.299 * 255)]);
  });

  it('composites gray + alpha, and 16-bit PNGs come out as 8 bits', async () => {
    const ga = await sharp(Buffer.from(new Array(16 * 16).fill(0).flatMap((_, i) => [60, i % 16 < 8 ? 255 : 0])), {
      raw: { width: 16, height: 16, channels: 2 },
    })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const p16 = await solidRgb(16, 16, 255, 128, 0).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(p16).metadata()).depth).toBe('ushort');
    const dir = await folder({ 'ga.png': ga, 'p16.png': p16 });
    const ds = await importDataset(dir, testOptions(cache, { background: '#ff0000' }));
    expect(ds.count).toBe(2);
    expect(pixelAt(ds.pixels, 16, 3, 0, 2, 8)).toEqual([60, 60, 60]); // opaque gray
    expect(pixelAt(ds.pixels, 16, 3, 0, 13, 8)).toEqual([255, 0, 0]); // transparent → background
    expectClose(pixelAt(ds.pixels, 16, 3, 1, 8, 8), [255, 128, 0], 1);
  });

  it('pads a 1-channel gray image with the real background colour', async () => {
    const dir = await folder({ 'wide-gray.png': await grayPng(32, 16, 60) });
    const ds = await importDataset(dir, testOptions(cache, { resize: 'pad', background: '#ff8000' }));
    expect(pixelAt(ds.pixels, 16, 3, 0, 8, 0)).toEqual([255, 128, 0]); // padding
    expect(pixelAt(ds.pixels, 16, 3, 0, 8, 8)).toEqual([60, 60, 60]); // image
  });
});

describe('non-square images', () => {
  // 60×20: red | green | blue vertical thirds.
  const bands = () =>
    drawRgba(60, 20, (x): Rgba => (x < 20 ? [255, 0, 0, 255] : x < 40 ? [0, 255, 0, 255] : [0, 0, 255, 255]))
      .png()
      .toBuffer();

  it('crop keeps the centre square', async () => {
    const ds = await importDataset(
      await folder({ 'w.png': await bands() }),
      testOptions(cache, { resolution: 20, resize: 'crop' }),
    );
    for (const [x, y] of [
      [0, 0],
      [19, 19],
      [10, 10],
      [0, 19],
    ])
      expect(pixelAt(ds.pixels, 20, 3, 0, x, y)).toEqual([0, 255, 0]);
    expect(ds.report.sourceSizes).toEqual({ minWidth: 60, maxWidth: 60, minHeight: 20, maxHeight: 20 });
  });

  it('pad keeps everything and fills with the background', async () => {
    const ds = await importDataset(
      await folder({ 'w.png': await bands() }),
      testOptions(cache, { resolution: 30, resize: 'pad', background: '#808080' }),
    );
    // 60×20 → 30×10, centred: rows 10..19 hold the image.
    expect(pixelAt(ds.pixels, 30, 3, 0, 15, 0)).toEqual([128, 128, 128]);
    expect(pixelAt(ds.pixels, 30, 3, 0, 15, 29)).toEqual([128, 128, 128]);
    expect(pixelAt(ds.pixels, 30, 3, 0, 1, 15)).toEqual([255, 0, 0]);
    expect(pixelAt(ds.pixels, 30, 3, 0, 15, 15)).toEqual([0, 255, 0]);
    expect(pixelAt(ds.pixels, 30, 3, 0, 28, 15)).toEqual([0, 0, 255]);
  });

  it('stretch keeps all three bands over the full height', async () => {
    const ds = await importDataset(
      await folder({ 'w.png': await bands() }),
      testOptions(cache, { resolution: 30, resize: 'stretch' }),
    );
    for (const y of [0, 15, 29]) {
      expect(pixelAt(ds.pixels, 30, 3, 0, 2, y)).toEqual([255, 0, 0]);
      expect(pixelAt(ds.pixels, 30, 3, 0, 15, y)).toEqual([0, 255, 0]);
      expect(pixelAt(ds.pixels, 30, 3, 0, 27, y)).toEqual([0, 0, 255]);
    }
  });

  it('tall images are cropped and padded along the other axis', async () => {
    const tall = await drawRgba(10, 40, (_x, y): Rgba =>
      y < 15 ? [255, 0, 0, 255] : y < 25 ? [0, 255, 0, 255] : [0, 0, 255, 255],
    )
      .png()
      .toBuffer();
    const dir = await folder({ 't.png': tall });
    const crop = await importDataset(dir, testOptions(cache, { resolution: 10, resize: 'crop' }));
    expect(pixelAt(crop.pixels, 10, 3, 0, 5, 5)).toEqual([0, 255, 0]);
    const pad = await importDataset(dir, testOptions(cache, { resolution: 40, resize: 'pad', background: '#000000' }));
    expect(pixelAt(pad.pixels, 40, 3, 0, 2, 20)).toEqual([0, 0, 0]);
    expect(pixelAt(pad.pixels, 40, 3, 0, 20, 20)).toEqual([0, 255, 0]);
  });
});

describe('formats and orientation', () => {
  it('reads JPEG, WebP, GIF (first frame), TIFF, AVIF, and decides by content, not name', async () => {
    const base = () => solidRgb(20, 20, 0, 0, 255);
    const twoFrames = await sharp(
      Buffer.concat([
        Buffer.from(new Array(20 * 20).fill([255, 0, 0, 255]).flat()),
        Buffer.from(new Array(20 * 20).fill([0, 255, 0, 255]).flat()),
      ]),
      { raw: { width: 20, height: 40, channels: 4, pageHeight: 20 } },
    )
      .gif()
      .toBuffer({ resolveWithObject: true });
    const dir = await folder({
      'a.jpg': await base().jpeg({ quality: 95 }).toBuffer(),
      'b.webp': await base().webp({ lossless: true }).toBuffer(),
      'c.gif': twoFrames.data,
      'd.tiff': await base().tiff().toBuffer(),
      'e.avif': await base().avif({ lossless: true }).toBuffer(),
      'f.jpg': await base().png().toBuffer(), // PNG data with a .jpg name
      'g-no-extension': await base().png().toBuffer(),
    });
    expect((await sharp(twoFrames.data, { pages: -1 }).metadata()).pages).toBe(2);
    const ds = await importDataset(dir, testOptions(cache));
    expect(ds.report.skipped).toEqual([]);
    expect(ds.count).toBe(7);
    expect(ds.report.formats).toMatchObject({ jpeg: 1, webp: 1, gif: 1, tiff: 1, heif: 1, png: 2 });
    for (let i = 0; i < 7; i++) {
      const want = i === 2 ? [255, 0, 0] : [0, 0, 255]; // the GIF's first frame is red
      expectClose(pixelAt(ds.pixels, 16, 3, i, 8, 8), want, 6);
    }
  });

  it('respects EXIF orientation', async () => {
    // Stored 40×20: left half red, right half blue. Orientation 6 = rotate 90° clockwise
    // for display, so the displayed image is 20×40 with red on top.
    const jpg = await drawRgba(40, 20, (x): Rgba => (x < 20 ? [255, 0, 0, 255] : [0, 0, 255, 255]))
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(jpg).metadata()).orientation).toBe(6);
    const ds = await importDataset(
      await folder({ 'rot.jpg': jpg }),
      testOptions(cache, { resolution: 20, resize: 'stretch' }),
    );
    expect(ds.report.sourceSizes).toEqual({ minWidth: 20, maxWidth: 20, minHeight: 40, maxHeight: 40 });
    expectClose(pixelAt(ds.pixels, 20, 3, 0, 10, 2), [255, 0, 0], 12);
    expectClose(pixelAt(ds.pixels, 20, 3, 0, 10, 17), [0, 0, 255], 12);
  });

  it('enlarges small images and shrinks big ones to the resolution', async () => {
    const dir = await folder({
      'big.png': await solidRgb(300, 200, 10, 20, 30).png().toBuffer(),
      'small.png': await solidRgb(8, 8, 40, 50, 60).png().toBuffer(),
    });
    const ds = await importDataset(dir, testOptions(cache, { resolution: 64 }));
    expect(ds.count).toBe(2);
    expect(ds.pixels.length).toBe(2 * 64 * 64 * 3);
    expect(pixelAt(ds.pixels, 64, 3, 0, 32, 32)).toEqual([10, 20, 30]);
    expect(pixelAt(ds.pixels, 64, 3, 1, 0, 63)).toEqual([40, 50, 60]);
  });
});

describe('batch()', () => {
  it('scales to [-1, 1] NHWC in the order asked', async () => {
    const dir = await folder({
      '0-black.png': await solidRgb(16, 16, 0, 0, 0).png().toBuffer(),
      '1-white.png': await solidRgb(16, 16, 255, 255, 255).png().toBuffer(),
      '2-mixed.png': await drawRgba(16, 16, (x, y): Rgba => [(x * 16) % 256, (y * 16) % 256, 128, 255])
        .png()
        .toBuffer(),
    });
    const ds = await importDataset(dir, testOptions(cache));
    const per = 16 * 16 * 3;
    const b = ds.batch([1, 0, 2, 1]);
    expect(b).toBeInstanceOf(Float32Array);
    expect(b.length).toBe(4 * per);
    expect(b.subarray(0, per).every((v) => v === 1)).toBe(true);
    expect(b.subarray(per, 2 * per).every((v) => v === -1)).toBe(true);
    let min = Infinity;
    let max = -Infinity;
    for (const v of b) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(-1);
    expect(max).toBe(1);
    for (let j = 0; j < per; j++) expect(b[2 * per + j]).toBeCloseTo(ds.pixels[2 * per + j] / 127.5 - 1, 6);

    const out = new Float32Array(3 * per);
    const view = ds.batch(new Int32Array([2, 0]), out);
    expect(view.length).toBe(2 * per);
    expect(view.buffer).toBe(out.buffer);
    expect(out[per]).toBe(-1);
    expect(() => ds.batch([3])).toThrow(RangeError);
    expect(() => ds.batch([0, 1], new Float32Array(per))).toThrow(RangeError);
  });
});
