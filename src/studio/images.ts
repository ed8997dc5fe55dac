/**
 * Small, fast image helpers for the studio: a PNG encoder for tiny images
 * (thumbnails, generated samples: zlib only, no sharp round trip), nearest-
 * neighbour scaling, data URLs, and slerp for latent interpolation.
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
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4, level = 6): Buffer {
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
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level })), chunk('IEND', Buffer.alloc(0))]);
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

export function dataUrl(mime: string, bytes: Uint8Array): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** Resample to `outW`×`outH`: nearest neighbour when enlarging, box average when shrinking. */
export function resizePixels(src: Uint8Array, w: number, h: number, channels: number, outW: number, outH: number): Uint8Array {
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

/** Gray or RGB to RGBA (for the GIF encoder). */
export function toRgba(src: Uint8Array, channels: number): Uint8Array {
  const n = src.length / channels;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    if (channels === 1) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = src[i];
    } else {
      out[i * 4] = src[i * channels];
      out[i * 4 + 1] = src[i * channels + 1];
      out[i * 4 + 2] = src[i * channels + 2];
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Spherical interpolation between two latent vectors (Shoemake's slerp, as
 * in White 2016, "Sampling Generative Networks"): keeps intermediate points
 * at the norm the generator saw in training, unlike a straight line.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number, out = new Float32Array(a.length)): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cos = Math.min(1, Math.max(-1, dot / (Math.sqrt(na * nb) || 1)));
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  if (sin < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / sin;
  const wb = Math.sin(t * omega) / sin;
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
  return out;
}

/**
 * Latent vectors of an interpolation through `points` in order:
 * `framesPerSegment` frames per segment, each segment's end being the next
 * one's start; `loop` adds the segment back to the first point, otherwise the
 * last point ends the sequence.
 */
export function interpolationPath(points: Float32Array[], framesPerSegment: number, loop: boolean): Float32Array[] {
  const out: Float32Array[] = [];
  const segments = loop ? points.length : points.length - 1;
  for (let s = 0; s < segments; s++) {
    const a = points[s];
    const b = points[(s + 1) % points.length];
    for (let k = 0; k < framesPerSegment; k++) out.push(slerp(a, b, k / framesPerSegment));
  }
  if (!loop) out.push(Float32Array.from(points[points.length - 1]));
  return out;
}
