/**
 * Browser mode's downloads: every output the studio writes (a PNG, a GIF, a
 * latents file, a folder of PNGs, a web export) is offered under a random id,
 * and the server's download route (src/server/download.ts) streams only what
 * is registered here. The URL carries no path, so nothing the studio did not
 * write (or a folder the user chose for it) can be fetched, whatever a page
 * puts in it. The desktop app writes where the user chose and offers none.
 *
 * With a `file` (`gan-studio serve` keeps it next to its token, in the
 * user's config folder), the ids outlive the server: the registry is saved
 * there on each offer (atomically, readable by this user only), and read
 * back at start, so a link in a page or a bookmark still works after a
 * restart. A file that others could have written (group or world writable)
 * is not trusted: its entries would say what may be served.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../engine/light';
import { DOWNLOAD_PATH } from '../shared/ws-protocol';

export interface DownloadEntry {
  /** The file or folder as the studio wrote it. */
  path: string;
  kind: 'file' | 'folder';
  /** The name the browser saves it under (`<folder>.zip` for a folder). */
  name: string;
}

/** Ids kept; the oldest are forgotten first (their files stay on disk, only the link expires). */
const KEPT = 1000;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const FORMAT = 1;

/** `<folder>.zip` for a folder, the file's own name for a file. */
function downloadName(target: string, kind: DownloadEntry['kind']): string {
  return kind === 'folder' ? `${path.basename(target)}.zip` : path.basename(target);
}

/** The entries of a saved registry that are well formed; [] for anything else. */
function parseSaved(text: string): [string, DownloadEntry][] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const d = data as { format?: unknown; entries?: unknown };
  if (d?.format !== FORMAT || !Array.isArray(d.entries)) return [];
  const out: [string, DownloadEntry][] = [];
  for (const e of d.entries as unknown[]) {
    const [id, p, kind] = Array.isArray(e) ? (e as unknown[]) : [];
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || typeof p !== 'string' || !path.isAbsolute(p)) continue;
    if (kind !== 'file' && kind !== 'folder') continue;
    out.push([id, { path: p, kind, name: downloadName(p, kind) }]);
  }
  return out;
}

export class DownloadRegistry {
  private readonly entries = new Map<string, DownloadEntry>();
  /** The save in progress (saves are one after another, so the last one holds every offer). */
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  /**
   * `enabled`: browser mode (a server that can stream downloads). `file`:
   * where the ids are kept across restarts; without it they live as long as
   * this process.
   */
  constructor(
    private readonly enabled: boolean,
    private readonly file: string | null = null,
  ) {
    if (enabled && file) for (const [id, entry] of this.readSaved()) this.entries.set(id, entry);
  }

  /** Registers a written output; its download URL path, or null where there are no downloads (desktop). */
  offer(target: string, kind: 'file' | 'folder'): string | null {
    if (!this.enabled) return null;
    const id = randomBytes(16).toString('base64url');
    const name = downloadName(target, kind);
    this.entries.set(id, { path: target, kind, name });
    while (this.entries.size > KEPT) this.entries.delete(this.entries.keys().next().value!);
    this.save();
    return `${DOWNLOAD_PATH}/${id}/${encodeURIComponent(name)}`;
  }

  /** The output of an id issued by `offer` (by this process or, with a file, an earlier one); undefined for anything else. */
  get(id: string): DownloadEntry | undefined {
    if (!ID_PATTERN.test(id)) return undefined;
    const known = this.entries.get(id);
    if (known || !this.file) return known;
    // Another server process with the same config folder may have issued it since this one started.
    return this.readSaved().find(([savedId]) => savedId === id)?.[1];
  }

  /** Resolves once every offer so far is saved (the server waits for it when it closes). */
  async flush(): Promise<void> {
    await this.saving;
  }

  private readSaved(): [string, DownloadEntry][] {
    if (!this.file) return [];
    try {
      const st = statSync(this.file);
      if (process.platform !== 'win32' && (st.mode & 0o022) !== 0) {
        console.error(`[studio] ignoring ${this.file}: others can write it (download links from before a restart 404)`);
        return [];
      }
      return parseSaved(readFileSync(this.file, 'utf8'));
    } catch {
      return []; // not there yet
    }
  }

  private save(): void {
    if (!this.file) return;
    this.dirty = true;
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        await this.write();
      } catch (e) {
        console.error(`[studio] could not save the download links to ${this.file}: ${(e as Error).message}`);
      }
    });
  }

  /** The registry, merged with what another process saved meanwhile, written to a temp file and renamed over. */
  private async write(): Promise<void> {
    const file = this.file!;
    const merged = new Map(this.readSaved().filter(([id]) => !this.entries.has(id)));
    for (const [id, entry] of this.entries) merged.set(id, entry);
    const kept = [...merged].slice(-KEPT);
    const body = JSON.stringify({ format: FORMAT, entries: kept.map(([id, e]) => [id, e.path, e.kind]) });
    await writeFileAtomic(file, body, { mode: 0o600, dirMode: 0o700 });
  }
}
