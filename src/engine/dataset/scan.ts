/**
 * Recursive folder scan: lists the candidate files under a root with their
 * size, mtime and mode (the cache key is built from these), sorted
 * deterministically. Whether a file is an image is decided later by decoding.
 */
import fs from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import path from 'node:path';
import { DatasetError, type SkippedFile } from './types.js';

export interface ScannedFile {
  /** '/'-separated path relative to the root. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
  /** Permission bits (a chmod changes the cache key). */
  mode: number;
}

export interface ScanResult {
  /** Absolute root path, as given (resolved, symlinks kept). */
  root: string;
  files: ScannedFile[];
  /** Entries that could not be scanned (unreadable folder, broken link, fifo, ...). */
  skipped: SkippedFile[];
  /** Hidden entries and OS clutter left out. */
  ignored: number;
}

export interface ScanOptions {
  /** Folders never entered (the cache folder), compared by real path. */
  excludeDirs?: string[];
  signal?: AbortSignal;
  onProgress?: (found: number) => void;
}

/** OS clutter that is never an image a user meant to train on. */
const CLUTTER = new Set(['__MACOSX', 'Thumbs.db', 'desktop.ini', '$RECYCLE.BIN', 'System Volume Information']);

function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || CLUTTER.has(name);
}

/** Deterministic order: by path segments, comparing UTF-16 code units (locale-independent). */
export function compareRelPaths(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    if (sa[i] !== sb[i]) return sa[i] < sb[i] ? -1 : 1;
  }
  return sa.length - sb.length;
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** A filesystem error as a short human reason. */
export function describeFsError(e: unknown): string {
  switch (errCode(e)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'file disappeared during import';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return `could not read: ${errCode(e) ?? (e instanceof Error ? e.message : String(e))}`;
  }
}

async function realpathOr(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

const STAT_BATCH = 256;

export async function scanFolder(dir: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const root = path.resolve(dir);
  let rootStat: Stats;
  try {
    rootStat = await fs.stat(root);
  } catch (e) {
    if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') throw new DatasetError(`Folder not found: ${root}`);
    throw new DatasetError(`Cannot open folder ${root}: ${describeFsError(e)}`);
  }
  if (!rootStat.isDirectory()) throw new DatasetError(`Not a folder: ${root}`);

  const exclude = new Set(await Promise.all((opts.excludeDirs ?? []).map(realpathOr)));
  const visited = new Set<string>();
  const files: ScannedFile[] = [];
  const skipped: SkippedFile[] = [];
  let ignored = 0;

  // Depth-first over folders; order does not matter, files are sorted at the end.
  const stack: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  while (stack.length > 0) {
    opts.signal?.throwIfAborted();
    const { abs: dirAbs, rel: dirRel } = stack.pop()!;
    const real = await realpathOr(dirAbs);
    if (visited.has(real)) continue; // symlinked folder seen already (or a loop)
    visited.add(real);

    let entries: Dirent[];
    try {
      entries = await fs.readdir(dirAbs, { withFileTypes: true });
    } catch (e) {
      if (dirRel === '') throw new DatasetError(`Cannot read folder ${root}: ${describeFsError(e)}`);
      skipped.push({ file: `${dirRel}/`, reason: `folder not scanned: ${describeFsError(e)}` });
      continue;
    }

    const wanted = entries.filter((ent) => {
      if (isIgnoredName(ent.name)) {
        ignored++;
        return false;
      }
      return true;
    });

    for (let i = 0; i < wanted.length; i += STAT_BATCH) {
      const chunk = wanted.slice(i, i + STAT_BATCH);
      const stats = await Promise.allSettled(chunk.map((ent) => fs.stat(path.join(dirAbs, ent.name))));
      for (let j = 0; j < chunk.length; j++) {
        const ent = chunk[j];
        const abs = path.join(dirAbs, ent.name);
        const rel = dirRel ? `${dirRel}/${ent.name}` : ent.name;
        const res = stats[j];
        if (res.status === 'rejected') {
          const reason =
            ent.isSymbolicLink() && errCode(res.reason) === 'ENOENT'
              ? 'broken symbolic link'
              : describeFsError(res.reason);
          skipped.push({ file: rel, reason });
          continue;
        }
        const st = res.value;
        if (st.isDirectory()) {
          if (!exclude.has(await realpathOr(abs))) stack.push({ abs, rel });
        } else if (st.isFile()) {
          files.push({ rel, abs, size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 });
        } else {
          // FIFOs, sockets, devices: reading one could block forever.
          skipped.push({ file: rel, reason: 'not a regular file' });
        }
      }
      opts.onProgress?.(files.length);
    }
  }

  files.sort((a, b) => compareRelPaths(a.rel, b.rel));
  skipped.sort((a, b) => compareRelPaths(a.file, b.file));
  return { root, files, skipped, ignored };
}
