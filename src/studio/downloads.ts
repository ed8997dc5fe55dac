/**
 * Browser mode's downloads: every output the studio writes (a PNG, a GIF, a
 * latents file, a folder of PNGs, a web export) is offered under a random id,
 * and the server's download route (src/server/download.ts) streams only what
 * is registered here. The URL carries no path, so nothing the studio did not
 * write (or a folder the user chose for it) can be fetched, whatever a page
 * puts in it. The desktop app writes where the user chose and offers none.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
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

export class DownloadRegistry {
  private readonly entries = new Map<string, DownloadEntry>();

  /** `enabled`: browser mode (a server that can stream downloads). */
  constructor(private readonly enabled: boolean) {}

  /** Registers a written output; its download URL path, or null where there are no downloads (desktop). */
  offer(target: string, kind: 'file' | 'folder'): string | null {
    if (!this.enabled) return null;
    const id = randomBytes(16).toString('base64url');
    const name = kind === 'folder' ? `${path.basename(target)}.zip` : path.basename(target);
    this.entries.set(id, { path: target, kind, name });
    while (this.entries.size > KEPT) this.entries.delete(this.entries.keys().next().value!);
    return `${DOWNLOAD_PATH}/${id}/${encodeURIComponent(name)}`;
  }

  /** The output of an id issued by `offer`; undefined for anything else. */
  get(id: string): DownloadEntry | undefined {
    return ID_PATTERN.test(id) ? this.entries.get(id) : undefined;
  }
}
