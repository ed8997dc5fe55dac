/**
 * Disk cache of preprocessed data sets. One file per (folder, options):
 *
 *   magic "GANSDSC\0" | u32 version | u32 header length | header JSON |
 *   zero padding to 4 bytes | labels (int32, count) | pixels (uint8) |
 *   u32 CRC-32 of everything before | magic "GANSDEND"
 *
 * The key hashes the relative file list with sizes, mtimes and modes, the
 * preprocessing options, the decoder version and CACHE_FORMAT_VERSION, so any
 * change to the folder or the options misses. Files are written to a temp
 * file then renamed (atomic); a file that fails any check reads as 'corrupt'
 * and the caller rebuilds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import type { ResolvedOptions } from './options.js';
import type { ScanResult } from './scan.js';
import type { ImportReport } from './types.js';

/** Bump whenever decoding/preprocessing changes its output, or the file layout changes. */
const CACHE_FORMAT_VERSION = 1;
/** Cache files kept per source folder (different options), newest first. */
const KEEP_PER_FOLDER = 3;

const MAGIC = Buffer.from('GANSDSC\0', 'latin1');
const END_MAGIC = Buffer.from('GANSDEND', 'latin1');
const PREFIX_BYTES = MAGIC.length + 8;
const TRAILER_BYTES = 4 + END_MAGIC.length;
const MAX_HEADER_BYTES = 256 * 1024 * 1024;
const IO_CHUNK = 64 * 1024 * 1024;
const ENDIAN = os.endianness();

export interface CachedData {
  count: number;
  classNames: string[];
  labels: Int32Array;
  pixels: Uint8Array;
  report: ImportReport;
}

interface Header {
  cacheKey: string;
  count: number;
  resolution: number;
  channels: number;
  endianness: string;
  classNames: string[];
  report: ImportReport;
}

export type CacheRead =
  { status: 'hit'; data: CachedData } | { status: 'missing' } | { status: 'corrupt'; reason: string };

export function computeCacheKey(scan: ScanResult, o: ResolvedOptions): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      format: CACHE_FORMAT_VERSION,
      sharp: sharp.versions.sharp,
      vips: sharp.versions.vips,
      endianness: ENDIAN,
      root: scan.root,
      resolution: o.resolution,
      channels: o.channels,
      resize: o.resize,
      background: o.background,
      minSize: o.minSize,
      scanSkipped: scan.skipped,
    }),
  );
  for (const f of scan.files) h.update(`${f.rel}\0${f.size}\0${f.mtimeMs}\0${f.mode}\n`);
  return h.digest('hex');
}

function rootTag(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 12);
}

export function cacheFilePath(cacheDir: string, root: string, key: string): string {
  return path.join(cacheDir, `${rootTag(root)}-${key}.gsds`);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

async function readExactly(fh: fs.FileHandle, target: Uint8Array, position: number): Promise<boolean> {
  let off = 0;
  while (off < target.length) {
    const len = Math.min(IO_CHUNK, target.length - off);
    const { bytesRead } = await fh.read(target, off, len, position + off);
    if (bytesRead === 0) return false;
    off += bytesRead;
  }
  return true;
}

function isHeader(x: unknown, key: string, o: ResolvedOptions): x is Header {
  const h = x as Header;
  return (
    typeof h === 'object' &&
    h !== null &&
    h.cacheKey === key &&
    Number.isInteger(h.count) &&
    h.count > 0 &&
    h.resolution === o.resolution &&
    h.channels === o.channels &&
    h.endianness === ENDIAN &&
    Array.isArray(h.classNames) &&
    h.classNames.every((c) => typeof c === 'string') &&
    typeof h.report === 'object' &&
    h.report !== null &&
    Array.isArray(h.report.skipped)
  );
}

export async function readCache(file: string, key: string, o: ResolvedOptions): Promise<CacheRead> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'missing' };
    return { status: 'corrupt', reason: `cannot open: ${(e as Error).message}` };
  }
  try {
    const { size } = await fh.stat();
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if (size < PREFIX_BYTES + TRAILER_BYTES || !(await readExactly(fh, prefix, 0))) {
      return { status: 'corrupt', reason: 'truncated' };
    }
    if (!prefix.subarray(0, MAGIC.length).equals(MAGIC)) return { status: 'corrupt', reason: 'not a cache file' };
    const version = prefix.readUInt32LE(MAGIC.length);
    if (version !== CACHE_FORMAT_VERSION) return { status: 'corrupt', reason: `format version ${version}` };
    const headerLen = prefix.readUInt32LE(MAGIC.length + 4);
    if (headerLen > MAX_HEADER_BYTES || PREFIX_BYTES + headerLen > size)
      return { status: 'corrupt', reason: 'bad header length' };

    const headerBuf = Buffer.alloc(headerLen);
    if (!(await readExactly(fh, headerBuf, PREFIX_BYTES))) return { status: 'corrupt', reason: 'truncated' };
    let header: unknown;
    try {
      header = JSON.parse(headerBuf.toString('utf8'));
    } catch {
      return { status: 'corrupt', reason: 'unreadable header' };
    }
    if (!isHeader(header, key, o)) return { status: 'corrupt', reason: 'header does not match' };

    const per = o.resolution * o.resolution * o.channels;
    const labelsAt = align4(PREFIX_BYTES + headerLen);
    const pixelsAt = labelsAt + header.count * 4;
    const trailerAt = pixelsAt + header.count * per;
    if (size !== trailerAt + TRAILER_BYTES) return { status: 'corrupt', reason: 'wrong size (truncated?)' };

    const head = Buffer.alloc(labelsAt);
    const labels = new Int32Array(header.count);
    const labelBytes = new Uint8Array(labels.buffer);
    const pixels = new Uint8Array(header.count * per);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    const complete =
      (await readExactly(fh, head, 0)) &&
      (await readExactly(fh, labelBytes, labelsAt)) &&
      (await readExactly(fh, pixels, pixelsAt)) &&
      (await readExactly(fh, trailer, trailerAt));
    if (!complete) return { status: 'corrupt', reason: 'truncated' };
    if (!trailer.subarray(4).equals(END_MAGIC)) return { status: 'corrupt', reason: 'missing end marker' };
    let crc = zlib.crc32(head);
    crc = zlib.crc32(labelBytes, crc);
    crc = crc32Chunked(pixels, crc);
    if (crc !== trailer.readUInt32LE(0)) return { status: 'corrupt', reason: 'checksum mismatch' };
    for (const l of labels) {
      if (l < 0 || (l >= header.classNames.length && !(l === 0 && header.classNames.length === 0))) {
        return { status: 'corrupt', reason: 'bad label' };
      }
    }
    return {
      status: 'hit',
      data: { count: header.count, classNames: header.classNames, labels, pixels, report: header.report },
    };
  } catch (e) {
    return { status: 'corrupt', reason: (e as Error).message };
  } finally {
    await fh.close().catch(() => {});
  }
}

function crc32Chunked(data: Uint8Array, crc: number): number {
  for (let off = 0; off < data.length; off += IO_CHUNK) {
    crc = zlib.crc32(data.subarray(off, Math.min(data.length, off + IO_CHUNK)), crc);
  }
  return crc;
}

async function writeAll(fh: fs.FileHandle, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length; off += IO_CHUNK) {
    const chunk = data.subarray(off, Math.min(data.length, off + IO_CHUNK));
    let written = 0;
    while (written < chunk.length) {
      const { bytesWritten } = await fh.write(chunk, written, chunk.length - written);
      written += bytesWritten;
    }
  }
}

/** Write atomically (temp file, fsync, rename), then prune this folder's older cache files. */
export async function writeCache(
  cacheDir: string,
  root: string,
  key: string,
  o: ResolvedOptions,
  data: CachedData,
): Promise<string> {
  const file = cacheFilePath(cacheDir, root, key);
  await fs.mkdir(cacheDir, { recursive: true });
  const header: Header = {
    cacheKey: key,
    count: data.count,
    resolution: o.resolution,
    channels: o.channels,
    endianness: ENDIAN,
    classNames: data.classNames,
    report: data.report,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const labelsAt = align4(PREFIX_BYTES + json.length);
  const head = Buffer.alloc(labelsAt);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(CACHE_FORMAT_VERSION, MAGIC.length);
  head.writeUInt32LE(json.length, MAGIC.length + 4);
  json.copy(head, PREFIX_BYTES);
  const labelBytes = new Uint8Array(data.labels.buffer, data.labels.byteOffset, data.labels.byteLength);
  let crc = zlib.crc32(head);
  crc = zlib.crc32(labelBytes, crc);
  crc = crc32Chunked(data.pixels, crc);
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(crc >>> 0, 0);
  END_MAGIC.copy(trailer, 4);

  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await writeAll(fh, head);
      await writeAll(fh, labelBytes);
      await writeAll(fh, data.pixels);
      await writeAll(fh, trailer);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
  await pruneCache(cacheDir, root).catch(() => {});
  return file;
}

/** Mark a cache file as recently used (pruning keeps the newest). */
export async function touchCache(file: string): Promise<void> {
  const now = new Date();
  await fs.utimes(file, now, now).catch(() => {});
}

/** Keep the KEEP_PER_FOLDER newest cache files of `root`; drop its stale temp files. */
async function pruneCache(cacheDir: string, root: string): Promise<void> {
  const prefix = `${rootTag(root)}-`;
  const names = (await fs.readdir(cacheDir)).filter((n) => n.startsWith(prefix));
  const entries = await Promise.all(
    names.map(async (name) => {
      const p = path.join(cacheDir, name);
      const st = await fs.stat(p).catch(() => null);
      return { name, p, mtimeMs: st?.mtimeMs ?? 0 };
    }),
  );
  const hourAgo = Date.now() - 3600_000;
  for (const e of entries) {
    if (e.name.endsWith('.tmp') && e.mtimeMs < hourAgo) await fs.rm(e.p, { force: true }).catch(() => {});
  }
  const caches = entries.filter((e) => e.name.endsWith('.gsds')).sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const e of caches.slice(KEEP_PER_FOLDER)) await fs.rm(e.p, { force: true }).catch(() => {});
}
