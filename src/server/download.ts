/**
 * The download route of browser mode: streams one output the studio wrote
 * (src/studio/downloads.ts issues the ids; the URL holds no path). A file
 * goes as it is; a folder (a batch, a PNG sequence, a web export) goes as a
 * zip built while it is sent, file by file, so its size is not bounded by
 * memory. Already-compressed files (PNG, GIF, weights) are stored, the rest
 * deflated, which keeps the serve process's CPU time small.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import type { DownloadEntry } from '../studio/downloads';

const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.json': 'application/json',
  '.zip': 'application/zip',
};
/** Stored in a zip as they are: deflating them again gains nothing. */
const STORED = new Set(['.png', '.gif', '.jpg', '.webp', '.bin', '.zip']);

/** `attachment` with an ASCII fallback name and the exact UTF-8 one (RFC 6266). */
function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Resolves when the stream can take more, or is gone. */
function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
}

/**
 * Sends the output of `entry`; false (nothing sent) when it is no longer
 * there: the file was deleted, or the folder is empty or gone.
 */
export async function sendDownload(
  res: ServerResponse,
  entry: DownloadEntry,
  headers: Record<string, string>,
  headOnly: boolean,
): Promise<boolean> {
  const info = await stat(entry.path).catch(() => null);
  const common = { ...headers, 'content-disposition': disposition(entry.name), 'cache-control': 'no-store' };
  if (entry.kind === 'file') {
    if (!info?.isFile()) return false;
    res.writeHead(200, {
      ...common,
      'content-type': TYPES[path.extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(info.size),
    });
    if (headOnly) res.end();
    else await pipeline(createReadStream(entry.path), res);
    return true;
  }
  if (!info?.isDirectory()) return false;
  const files = (await readdir(entry.path, { withFileTypes: true }))
    .filter((d) => d.isFile() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  if (files.length === 0) return false;
  res.writeHead(200, { ...common, 'content-type': 'application/zip' });
  if (headOnly) {
    res.end();
    return true;
  }
  const out = new PassThrough();
  const sending = pipeline(out, res);
  const zip = new Zip((err, chunk, final) => {
    if (err) return out.destroy(err);
    out.write(chunk);
    if (final) out.end();
  });
  for (const name of files) {
    if (out.destroyed) break; // the browser went away
    const file = STORED.has(path.extname(name).toLowerCase())
      ? new ZipPassThrough(name)
      : new ZipDeflate(name, { level: 6 });
    zip.add(file);
    for await (const chunk of createReadStream(path.join(entry.path, name))) {
      file.push(chunk as Uint8Array);
      if (out.writableNeedDrain) await drained(out);
      if (out.destroyed) break;
    }
    if (!out.destroyed) file.push(new Uint8Array(0), true);
  }
  if (out.destroyed) zip.terminate();
  else zip.end();
  await sending;
  return true;
}
