/**
 * The file manifest of a checkpoint: the size and SHA-256 of every file,
 * recorded in state.json when the checkpoint is saved and checked when it is
 * loaded, so a truncated or altered file is found before its bytes are used.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface FileEntry {
  bytes: number;
  sha256: string;
}

export type FileManifest = Record<string, FileEntry>;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Relative paths (with `/`) of every file under `dir`, sorted. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Size and hash of every file under `dir` except those named in `exclude`. */
export async function manifestOf(dir: string, exclude: readonly string[] = []): Promise<FileManifest> {
  const manifest: FileManifest = {};
  for (const rel of await filesUnder(dir)) {
    if (exclude.includes(rel)) continue;
    const data = await readFile(path.join(dir, rel));
    manifest[rel] = { bytes: data.byteLength, sha256: sha256(data) };
  }
  return manifest;
}

/**
 * Check the files of `manifest` whose paths start with one of `prefixes`
 * (all when none is given). Returns what is wrong, or null when all match.
 */
export async function verifyManifest(
  dir: string,
  manifest: FileManifest,
  prefixes?: readonly string[],
): Promise<string | null> {
  for (const [rel, entry] of Object.entries(manifest)) {
    if (prefixes && !prefixes.some((p) => rel === p || rel.startsWith(`${p}/`))) continue;
    let data: Buffer;
    try {
      data = await readFile(path.join(dir, rel));
    } catch {
      return `${rel} is missing`;
    }
    if (data.byteLength !== entry.bytes)
      return `${rel} is ${data.byteLength} bytes, the manifest says ${entry.bytes} (truncated or corrupt)`;
    if (sha256(data) !== entry.sha256) return `${rel} does not match its checksum (damaged)`;
  }
  return null;
}
