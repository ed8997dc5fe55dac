#!/usr/bin/env node
/**
 * Builds the GPU measurement kit, a folder the device machine can run with nothing
 * installed but python3 + torch (bench/gpu/run-on-device.sh says how):
 *
 *   node bench/gpu/build-kit.mjs [outDir=.gpu-kit]
 *
 *   engine.mjs                       the engine's benchmark, bundled into one file (esbuild)
 *   node.xz                          this Node binary, xz-compressed
 *   node_modules/webgpu/             the webgpu package's loader + linux-x64 dawn.node (xz)
 *   torch-peer.py                    the PyTorch peer (--device cuda)
 *   run-on-device.sh                 the one prepared script
 *
 * It must stay under 64 MiB (what a device call may carry); the build fails otherwise.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = resolve(ROOT, process.argv[2] ?? '.gpu-kit');
const LIMIT = 64 * 2 ** 20;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'node_modules/webgpu/dist/linux-x64'), { recursive: true });

await build({
  entryPoints: [join(ROOT, 'bench/gpu/bench-entry.ts')],
  outfile: join(out, 'engine.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // dawn.node is found next to the webgpu package's index.js, so that package stays a real folder.
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  alias: { sharp: join(ROOT, 'bench/gpu/no-sharp.mjs') },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

const webgpu = join(ROOT, 'node_modules/webgpu');
copyFileSync(join(webgpu, 'index.js'), join(out, 'node_modules/webgpu/index.js'));
copyFileSync(join(webgpu, 'package.json'), join(out, 'node_modules/webgpu/package.json'));
copyFileSync(join(webgpu, 'dist/linux-x64/dawn.node'), join(out, 'node_modules/webgpu/dist/linux-x64/dawn.node'));
execFileSync('xz', ['-6', '-T0', join(out, 'node_modules/webgpu/dist/linux-x64/dawn.node')]);
copyFileSync(process.execPath, join(out, 'node'));
execFileSync('xz', ['-6', '-T0', join(out, 'node')]);
copyFileSync(join(ROOT, 'bench/torch-peer.py'), join(out, 'torch-peer.py'));
copyFileSync(join(ROOT, 'bench/gpu/run-on-device.sh'), join(out, 'run-on-device.sh'));

function size(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}
const total = size(out);
writeFileSync(join(out, 'BUILT'), `${new Date().toISOString()} node ${process.version}\n`);
process.stdout.write(`GPU kit in ${out}: ${(total / 2 ** 20).toFixed(1)} MiB\n`);
if (total > LIMIT) {
  process.stderr.write(`the kit is over 64 MiB\n`);
  process.exit(1);
}
