/**
 * The built renderer that `gan-studio serve` serves: `out/renderer/` of the
 * package. In a source checkout it is (re)built on demand with the renderer
 * section of electron.vite.config.ts (the same config `npm run build` uses),
 * so `npx gan-studio serve` works straight after `npm install`.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the folder with package.json), found from this module. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function defaultRendererDir(root = packageRoot()): string {
  return path.join(root, 'out', 'renderer');
}

async function newestMtime(p: string): Promise<number> {
  const st = await stat(p).catch(() => null);
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of await readdir(p).catch(() => [] as string[])) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(path.join(p, name)));
  }
  return newest;
}

/** Why the renderer must be built, or null when out/renderer is up to date (or there are no sources to build from). */
export async function rendererBuildReason(
  root = packageRoot(),
  outDir = defaultRendererDir(root),
): Promise<string | null> {
  const sources = [
    path.join(root, 'src', 'renderer'),
    path.join(root, 'src', 'shared'),
    path.join(root, 'electron.vite.config.ts'),
  ];
  const index = path.join(outDir, 'index.html');
  if (!existsSync(path.join(root, 'src', 'renderer', 'index.html'))) return null; // an installed build: nothing to build from
  if (!existsSync(index)) return 'no built user interface yet';
  const built = (await stat(index)).mtimeMs;
  let newest = 0;
  for (const s of sources) newest = Math.max(newest, await newestMtime(s));
  return newest > built ? 'the user interface sources changed since the last build' : null;
}

/** Builds the renderer into out/renderer with electron-vite's resolved renderer config. */
export async function buildRenderer(root = packageRoot()): Promise<void> {
  const ev = await import('electron-vite');
  const vite = await import('vite');
  process.env.NODE_ENV_ELECTRON_VITE = 'production';
  const resolved = await ev.resolveConfig(
    { root, logLevel: 'warn', configFile: path.join(root, 'electron.vite.config.ts') },
    'build',
    'production',
  );
  const renderer = resolved.config?.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer section');
  await vite.build({ ...renderer, logLevel: 'warn' });
}
