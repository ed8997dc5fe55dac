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
 *   node_modules/@tensorflow/tfjs-backend-wasm/   its .wasm binaries and threaded glue, which the
 *                                    engine finds by resolving the package (for the wasm runs)
 *   torch-peer.py                    the PyTorch peer (--device cuda)
 *   run-on-device.sh                 the one prepared script (--smoke: the same here, on SwiftShader)
 *   summarize.mjs                    its summary: ratios and the GPU profile before/after
 *
 * It must stay under 64 MiB (what a device call may carry); the build fails otherwise.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = resolve(ROOT, process.argv[2] ?? '.gpu-kit');
const LIMIT = 64 * 2 ** 20;

// Compressing Node takes minutes on a busy machine: an earlier kit's node.xz of this same Node is kept.
const oldNode = join(out, 'node.xz');
const keptNode = join(ROOT, '.gpu-kit-node.xz');
let reuseNode = false;
try {
  reuseNode =
    readFileSync(join(out, 'BUILT'), 'utf8').includes(`node ${process.version}`) && statSync(oldNode).size > 0;
  if (reuseNode) renameSync(oldNode, keptNode);
} catch {
  reuseNode = false;
}
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
  // CommonJS leftovers in the bundle (tfjs-backend-wasm's Emscripten glue reads __dirname).
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  // Profiles name WebGPU programs by class: keep the class names as tfjs has them.
  keepNames: true,
  logLevel: 'warning',
});

const webgpu = join(ROOT, 'node_modules/webgpu');
copyFileSync(join(webgpu, 'index.js'), join(out, 'node_modules/webgpu/index.js'));
copyFileSync(join(webgpu, 'package.json'), join(out, 'node_modules/webgpu/package.json'));
copyFileSync(join(webgpu, 'dist/linux-x64/dawn.node'), join(out, 'node_modules/webgpu/dist/linux-x64/dawn.node'));
execFileSync('xz', ['-6', '-T0', join(out, 'node_modules/webgpu/dist/linux-x64/dawn.node')]);
// The wasm backend is bundled, but it locates its binaries through the package (src/engine/backend/wasm.ts).
const wasmPkg = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm');
const wasmOut = join(out, 'node_modules/@tensorflow/tfjs-backend-wasm');
for (const dir of ['dist', 'wasm-out']) mkdirSync(join(wasmOut, dir), { recursive: true });
copyFileSync(join(wasmPkg, 'package.json'), join(wasmOut, 'package.json'));
copyFileSync(join(wasmPkg, 'dist/tf-backend-wasm.node.js'), join(wasmOut, 'dist/tf-backend-wasm.node.js'));
for (const f of readdirSync(join(wasmPkg, 'dist')).filter((f) => f.endsWith('.wasm')))
  copyFileSync(join(wasmPkg, 'dist', f), join(wasmOut, 'dist', f));
for (const f of readdirSync(join(wasmPkg, 'wasm-out')).filter((f) =>
  /threaded-simd\.(js|wasm)$|threaded-simd\.worker\.js$/.test(f),
))
  copyFileSync(join(wasmPkg, 'wasm-out', f), join(wasmOut, 'wasm-out', f));
if (reuseNode) renameSync(keptNode, join(out, 'node.xz'));
else {
  copyFileSync(process.execPath, join(out, 'node'));
  execFileSync('xz', ['-6', '-T0', join(out, 'node')]);
}
copyFileSync(join(ROOT, 'bench/torch-peer.py'), join(out, 'torch-peer.py'));
copyFileSync(join(ROOT, 'bench/gpu/run-on-device.sh'), join(out, 'run-on-device.sh'));
copyFileSync(join(ROOT, 'bench/gpu/summarize.mjs'), join(out, 'summarize.mjs'));

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
