/**
 * Which folders the studio may touch. The renderer is untrusted, so every
 * path it sends is checked here:
 *  - run folders: only `<runsRoot>/<runId>` for a run id (no separators, no ..);
 *  - anything else: only inside a folder the user chose in this session,
 *    through the native dialog (desktop) or the folder browser (browser mode),
 *    or a data set folder imported before (remembered in the runs root).
 * Paths are compared after resolving symbolic links, so a link inside a chosen
 * folder cannot lead out of it.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { StudioRejectedError } from './errors';

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
export async function realpathLoose(p: string): Promise<string> {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await realpath(cur);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export type GrantPurpose = 'dataset' | 'output';

export class PathGuard {
  readonly runsRoot: string;
  private readonly granted = new Map<string, Set<GrantPurpose>>();

  constructor(runsRoot: string) {
    const abs = path.resolve(runsRoot);
    try {
      this.runsRoot = realpathSync(abs);
    } catch {
      this.runsRoot = abs;
    }
  }

  /** The user chose this folder (dialog or folder browser). */
  async grant(folder: string, purpose: GrantPurpose): Promise<string> {
    const real = await realpathLoose(folder);
    let set = this.granted.get(real);
    if (!set) this.granted.set(real, (set = new Set()));
    set.add(purpose);
    return real;
  }

  grantedFolders(): string[] {
    return [...this.granted.keys()];
  }

  /** A folder to read images from: inside a chosen folder. Returns the real path. */
  async datasetDir(p: string): Promise<string> {
    return this.check(p, ['dataset', 'output'], false, 'data folder');
  }

  /** A folder or file to write: inside a chosen output folder or a run folder. Returns the real path. */
  async outputPath(p: string): Promise<string> {
    return this.check(p, ['output'], true, 'output folder');
  }

  /** A path to show in the file manager: a chosen folder, or anything under the runs root. */
  async viewablePath(p: string): Promise<string> {
    return this.check(p, ['dataset', 'output'], true, 'folder');
  }

  /** The folder of a run (not checked for existence). */
  runDir(runId: string): string {
    if (!/^\d{5,}-[\w.-]{1,64}$/.test(runId) || runId.includes('..'))
      throw new StudioRejectedError(`"${runId}" is not a run id.`);
    return path.join(this.runsRoot, runId);
  }

  private async check(p: string, purposes: GrantPurpose[], allowRuns: boolean, what: string): Promise<string> {
    if (typeof p !== 'string' || !path.isAbsolute(p))
      throw new StudioRejectedError(`The ${what} must be an absolute path: ${String(p)}`);
    const real = await realpathLoose(p);
    if (allowRuns && isInside(real, this.runsRoot) && real !== this.runsRoot) return real;
    for (const [folder, set] of this.granted) {
      if (purposes.some((x) => set.has(x)) && isInside(real, folder)) return real;
    }
    throw new StudioRejectedError(
      `GAN Studio may only use folders you chose: pick ${p} with the folder chooser first.`,
    );
  }
}
