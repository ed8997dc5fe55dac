/**
 * Full disks: how much room a folder has, how much a checkpoint needs, and
 * the one clear line a full disk gives instead of `ENOSPC …`.
 */
import { statfs } from 'node:fs/promises';
import { UserError } from '../errors';

/** Bytes free for this user on the file system holding `dir` (null when unknown). */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

export function isDiskFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** The disk holding `folder` is full (or would be): says where, and how much a checkpoint of this model needs. */
export class DiskFullError extends UserError {
  override name = 'DiskFullError';
  constructor(folder: string, needBytes: number, free: number | null, advice: string) {
    super(
      `Disk full: cannot write in ${folder} (${free === null ? 'free space unknown' : `${megabytes(free)} free`}; a checkpoint of this model needs about ${megabytes(needBytes)}). ${advice}`,
    );
  }
}
