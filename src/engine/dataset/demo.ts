/**
 * The bundled demo data set: 3,000 Fashion-MNIST images in
 * resources/demo/fashion-mnist (see resources/demo/README.md). Located from
 * this module's own path, never from the working directory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDataset } from './import.js';
import { DatasetError, type Dataset, type ImportOptions } from './types.js';

const DEMO_REL = path.join('resources', 'demo', 'fashion-mnist');

/**
 * Where the demo images are. Tries, in order: $GAN_STUDIO_DEMO_DIR; every
 * ancestor of this module's folder holding resources/demo/fashion-mnist (the
 * source tree, and bundles under out/ or dist/); Electron's resourcesPath.
 * When none exists, returns the source-tree location (for the error message).
 */
export function demoDatasetDir(): string {
  const fromEnv = process.env.GAN_STUDIO_DEMO_DIR?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates: string[] = [];
  for (let d = here; ; d = path.dirname(d)) {
    candidates.push(path.join(d, DEMO_REL));
    if (path.dirname(d) === d) break;
  }
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) {
    candidates.push(path.join(resourcesPath, DEMO_REL), path.join(resourcesPath, 'demo', 'fashion-mnist'));
  }
  return candidates.find((c) => existsSync(c)) ?? path.resolve(here, '..', '..', '..', DEMO_REL);
}

export async function loadDemoDataset(opts: ImportOptions): Promise<Dataset> {
  const dir = demoDatasetDir();
  if (!existsSync(dir)) {
    throw new DatasetError(`Demo data set not found at ${dir} (regenerate it with: npm run make-demo-data)`);
  }
  return importDataset(dir, opts);
}
