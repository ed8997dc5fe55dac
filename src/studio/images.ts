/**
 * Small, fast image helpers for the studio: a PNG encoder for tiny images
 * (thumbnails, generated samples: zlib only, no sharp round trip), nearest-
 * neighbour scaling and data URLs. (slerp: the seed rule, src/engine/generate.)
 */
import zlib from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** 8-bit gray (1), gray+alpha (2), RGB (3) or RGBA (4) pixels, row-major, to a PNG. */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  level = 6,
): Buffer {
  const colorType = { 1: 0, 2: 4, 3: 2, 4: 6 }[channels];
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

export function dataUrl(mime: string, bytes: Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** Resample to `outW`×`outH`: nearest neighbour when enlarging, box average when shrinking. */
export function resizePixels(
  src: Uint8Array,
  w: number,
  h: number,
  channels: number,
  outW: number,
  outH: number,
): Uint8Array {
  if (outW === w && outH === h) return src;
  const out = new Uint8Array(outW * outH * channels);
  if (outW >= w && outH >= h) {
    for (let y = 0; y < outH; y++) {
      const sy = Math.min(h - 1, Math.floor((y * h) / outH));
      for (let x = 0; x < outW; x++) {
        const sx = Math.min(w - 1, Math.floor((x * w) / outW));
        const s = (sy * w + sx) * channels;
        const d = (y * outW + x) * channels;
        for (let c = 0; c < channels; c++) out[d + c] = src[s + c];
      }
    }
    return out;
  }
  const acc = new Float64Array(channels);
  for (let y = 0; y < outH; y++) {
    const y0 = Math.floor((y * h) / outH);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / outH));
    for (let x = 0; x < outW; x++) {
      const x0 = Math.floor((x * w) / outW);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / outW));
      acc.fill(0);
      for (let yy = y0; yy < y1; yy++)
        for (let xx = x0; xx < x1; xx++) {
          const s = (yy * w + xx) * channels;
          for (let c = 0; c < channels; c++) acc[c] += src[s + c];
        }
      const n = (y1 - y0) * (x1 - x0);
      const d = (y * outW + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = Math.round(acc[c] / n);
    }
  }
  return out;
}

/** Integer nearest-neighbour upscale. */
export function upscale(src: Uint8Array, w: number, h: number, channels: number, scale: number): Uint8Array {
  return scale === 1 ? src : resizePixels(src, w, h, channels, w * scale, h * scale);
}
