/**
 * Decoding and preprocessing of one file with sharp: read, detect the format
 * by content (not by extension), auto-orient (EXIF), composite alpha onto the
 * background, make square (crop / pad / stretch), resize, convert to 1 or 3
 * channels of 8-bit sRGB. Every problem becomes a SkipFile with a human reason.
 *
 * Filters: lanczos3 when an image is shrunk (sharp's default, the sharpest
 * without aliasing), mitchell when it is enlarged (lanczos3 rings visibly
 * around hard edges when upscaling small images; mitchell does not).
 */
import fs from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { ResolvedOptions } from './options.js';
import { describeFsError, type ScannedFile } from './scan.js';

/** Files bigger than this are not read (a stray video or disk image in the folder). */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

export type SourceLayout = 'gray' | 'grayAlpha' | 'rgb' | 'rgba' | 'other';

export interface DecodedInfo {
  /** Source size after EXIF orientation. */
  width: number;
  height: number;
  format: string;
  layout: SourceLayout;
}

/** Thrown for a file that is skipped; `message` is the reason shown to the user. */
export class SkipFile extends Error {
  override name = 'SkipFile';
}

const FIT = { crop: 'cover', pad: 'contain', stretch: 'fill' } as const;

export function describePreprocessing(o: ResolvedOptions): string {
  const how = {
    crop: 'centre-cropped to a square',
    pad: `padded to a square with ${o.background}`,
    stretch: 'stretched to a square',
  }[o.resize];
  const colour = o.channels === 1 ? '1 channel (Rec. 601 luma)' : '3 channels (sRGB)';
  return (
    `EXIF-oriented, alpha composited onto ${o.background}, ${how}, resized to ${o.resolution}×${o.resolution} ` +
    `(lanczos3 when shrinking, mitchell when enlarging), ${colour}, 8 bits`
  );
}

function firstLine(msg: string): string {
  const line = (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
  const cleaned = line.replace(/^Input (buffer|file) has corrupt header:\s*/i, '');
  return cleaned.length > 160 ? `${cleaned.slice(0, 157)}...` : cleaned;
}

/** A sharp/libvips error as a skip reason. */
function describeSharpError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (/unsupported image format/i.test(msg)) return 'not an image: unrecognised file format';
  if (/buffer is empty/i.test(msg)) return 'empty file (0 bytes)';
  if (/pixel limit/i.test(msg)) return 'too large: more pixels than the decoder allows';
  return `corrupt or truncated image: ${firstLine(msg) || 'decoder error'}`;
}

function layoutOf(meta: Metadata): SourceLayout {
  const gray = meta.space === 'b-w' || meta.space === 'grey16';
  if (meta.space === 'cmyk') return 'other';
  switch (meta.channels) {
    case 1:
      return 'gray';
    case 2:
      return 'grayAlpha';
    case 3:
      return gray ? 'gray' : 'rgb';
    case 4:
      return meta.hasAlpha ? 'rgba' : 'other';
    default:
      return 'other';
  }
}

function chooseKernel(w: number, h: number, o: ResolvedOptions): 'lanczos3' | 'mitchell' {
  const sx = o.resolution / w;
  const sy = o.resolution / h;
  const shrinking =
    o.resize === 'crop' ? Math.max(sx, sy) < 1 : o.resize === 'pad' ? Math.min(sx, sy) < 1 : sx < 1 || sy < 1;
  return shrinking ? 'lanczos3' : 'mitchell';
}

/** Rec. 601 luma of 8-bit sRGB (as PIL "L", OpenCV and tf.image.rgb_to_grayscale); exact for gray (r = g = b). */
function rgbToLuma(rgb: Uint8Array, out: Uint8Array): void {
  for (let i = 0, j = 0; j < out.length; i += 3, j++) {
    out[j] = Math.floor((299 * rgb[i] + 587 * rgb[i + 1] + 114 * rgb[i + 2] + 500) / 1000);
  }
}

async function readAll(file: ScannedFile): Promise<Buffer> {
  if (file.size === 0) throw new SkipFile('empty file (0 bytes)');
  if (file.size > MAX_FILE_BYTES) {
    throw new SkipFile(`too large: ${Math.round(file.size / 1048576)} MB (limit ${MAX_FILE_BYTES / 1048576} MB)`);
  }
  let buf: Buffer;
  try {
    buf = await fs.readFile(file.abs);
  } catch (e) {
    throw new SkipFile(describeFsError(e));
  }
  if (buf.length === 0) throw new SkipFile('empty file (0 bytes)');
  return buf;
}

/**
 * Decode `file` and write its preprocessed pixels (resolution² × channels
 * bytes, HWC) into `out`. Throws SkipFile when the file cannot be used.
 */
export async function decodeInto(file: ScannedFile, o: ResolvedOptions, out: Uint8Array): Promise<DecodedInfo> {
  const buf = await readAll(file);
  // failOn 'error': truncated and broken data fail; harmless libpng/libjpeg
  // warnings (e.g. a known-incorrect sRGB profile) do not reject a good image.
  // pages 1: the first frame of animated GIF/WebP and multi-page TIFF.
  const input = () => sharp(buf, { failOn: 'error', pages: 1, page: 0 });

  let meta: Metadata;
  try {
    meta = await input().metadata();
  } catch (e) {
    throw new SkipFile(describeSharpError(e));
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new SkipFile('corrupt or truncated image: no dimensions');
  if (Math.min(width, height) < o.minSize) {
    throw new SkipFile(`too small: ${width}×${height} (minimum ${o.minSize})`);
  }

  let data: Buffer;
  let info: OutputInfo;
  try {
    // The whole pipeline runs in sRGB, so gray and gray+alpha sources are
    // flattened and padded onto the real background colour, not its first band.
    ({ data, info } = await input()
      .pipelineColourspace('srgb')
      .autoOrient()
      .flatten({ background: o.backgroundRgb })
      .resize(o.resolution, o.resolution, {
        fit: FIT[o.resize],
        position: 'centre',
        background: o.backgroundRgb,
        kernel: chooseKernel(width, height, o),
      })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new SkipFile(describeSharpError(e));
  }
  const n = o.resolution * o.resolution;
  if (info.width !== o.resolution || info.height !== o.resolution || info.channels !== 3 || data.length !== n * 3) {
    throw new SkipFile(`corrupt or truncated image: decoder returned ${info.width}×${info.height}×${info.channels}`);
  }
  if (o.channels === 3) out.set(data);
  else rgbToLuma(data, out);
  return { width, height, format: String(meta.format), layout: layoutOf(meta) };
}
