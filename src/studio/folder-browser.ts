/**
 * Browser mode's folder browser: listing folders (with image counts, so the
 * user can see where the pictures are) and the user's choice of one, which
 * the PathGuard then allows. The desktop app uses the native dialog instead.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DirListing } from '../shared/contract';
import { demoDatasetDir, hasImageExtension } from '../engine/light';
import { serializeError } from './datasets-common';
import { StudioError, StudioRejectedError } from './errors';
import { realpathLoose, type GrantPurpose, type PathGuard } from './paths';

/** Image counts stop here: a listing must stay quick on huge folders. */
const COUNT_CAP = 10_000;

export async function listDir(p: string, runsRoot: string): Promise<DirListing> {
  if (!path.isAbsolute(p)) throw new StudioRejectedError(`Not an absolute path: ${p}`);
  const abs = path.resolve(p);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StudioError(
      code === 'ENOENT'
        ? `Folder not found: ${abs}`
        : code === 'ENOTDIR'
          ? `Not a folder: ${abs}`
          : `Cannot open ${abs}: ${code ?? serializeError(e).message}`,
    );
  }
  let imageCount = 0;
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (
      e.isDirectory() ||
      (e.isSymbolicLink() && (await stat(path.join(abs, e.name)).catch(() => null))?.isDirectory())
    )
      dirs.push(e.name);
    else if (imageCount < COUNT_CAP && hasImageExtension(e.name)) imageCount++;
  }
  dirs.sort((a, b) => a.localeCompare(b));
  const out = await Promise.all(
    dirs.map(async (name) => {
      const full = path.join(abs, name);
      let count = 0;
      let hasSubfolders = false;
      try {
        for (const e of await readdir(full, { withFileTypes: true })) {
          if (e.name.startsWith('.')) continue;
          if (e.isDirectory()) hasSubfolders = true;
          else if (count < COUNT_CAP && hasImageExtension(e.name)) count++;
        }
      } catch {
        count = -1;
      }
      return { name, path: full, imageCount: count, hasSubfolders };
    }),
  );
  const parent = path.dirname(abs) === abs ? null : path.dirname(abs);
  const places = [
    { label: 'Home', path: os.homedir() },
    { label: 'Demo data set', path: demoDatasetDir() },
    { label: 'Runs', path: runsRoot },
    { label: 'File system', path: path.parse(abs).root },
  ];
  return { path: await realpathLoose(abs).catch(() => abs), parent, entries: out, imageCount, places };
}

/** The user chose `p` in the folder browser (an output folder may be created): grants it and returns its real path. */
export async function chooseFolder(
  paths: PathGuard,
  p: string,
  purpose: GrantPurpose,
  create = false,
): Promise<string> {
  if (!path.isAbsolute(p)) throw new StudioRejectedError(`Not an absolute path: ${p}`);
  const abs = path.resolve(p);
  const st = await stat(abs).catch(() => null);
  if (!st) {
    if (!create || purpose !== 'output') throw new StudioError(`Folder not found: ${abs}`);
    await mkdir(abs, { recursive: true });
  } else if (!st.isDirectory()) throw new StudioError(`Not a folder: ${abs}`);
  return paths.grant(abs, purpose);
}
