/**
 * Atomic file and folder writes: write next to the target under a temporary
 * name, then rename. A crash, a kill or a full disk leaves either the old
 * file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

function tempSibling(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * `mode` is the new file's (created so from the start: a secret is never readable by
 * others, not even as the temp file); `dirMode` that of folders made on the way.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: { mode?: number; dirMode?: number } = {},
): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true, mode: options.dirMode });
  const tmp = tempSibling(target);
  try {
    const handle = await open(tmp, 'w', options.mode ?? 0o666);
    try {
      await handle.writeFile(data);
      await handle.sync(); // the rename must not land before the bytes do
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Build a folder with `fill(tmpDir)`, then rename it to `target`. `target`
 * must not exist yet; if `fill` throws, nothing is left behind.
 */
export async function writeDirAtomic(target: string, fill: (dir: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  try {
    await mkdir(tmp);
    await fill(tmp);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
