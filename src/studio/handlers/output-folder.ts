/** Where a folder output (a batch of images, a web export) is written: one rule for both handlers. */
import { mkdir } from 'node:fs/promises';
import { checkOutputFolder, outputTarget } from '../output-guard';
import type { RunLocator } from '../run-locator';

/**
 * The user's chosen folder, checked to hold no files unless `overwrite`;
 * else a new folder named `defaultName` (numbered when one is there
 * already) in `defaultParent()`, which is only asked for then, since it
 * may make a folder.
 */
export async function outputFolder(
  runs: RunLocator,
  runDir: string,
  req: { dir?: string; overwrite?: boolean },
  defaultParent: () => Promise<string>,
  defaultName: string,
): Promise<string> {
  if (req.dir) {
    const dir = await runs.outputDir(req.dir, runDir, '');
    await checkOutputFolder(dir, req.overwrite);
    return dir;
  }
  const dir = await outputTarget(await defaultParent(), { defaultName, kind: 'folder' });
  await mkdir(dir, { recursive: true });
  return dir;
}
