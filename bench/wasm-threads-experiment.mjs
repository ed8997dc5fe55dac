// Experiment: can the threaded-SIMD wasm build run under Node? Not shipped; see docs/perf-notes.md.
//   node bench/wasm-threads-experiment.mjs plain 2     → ERR_WORKER_PATH (workers from blob: URLs)
//   node bench/wasm-threads-experiment.mjs patched 2   → starts after monkeypatching Blob and
//                                                        URL.createObjectURL, but getThreadsCount() is 1
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
const wasmPkg = require('@tensorflow/tfjs-backend-wasm');
const dir = mkdtempSync(join(tmpdir(), 'tfjs-wasm-threads-'));
const mode = process.argv[2] ?? 'plain';
const texts = new WeakMap();
let mainPath = null;
if (mode === 'patched') {
  const RealBlob = globalThis.Blob;
  globalThis.Blob = class extends RealBlob {
    constructor(parts, opts) { super(parts, opts); if (parts.every((p) => typeof p === 'string')) { const t = parts.join(''); texts.set(this, t); if (t.startsWith('var WasmBackendModuleThreadedSimd')) writeFileSync(join(dir, 'main.js'), "var require$$0 = require('fs'), require$$1 = require('path'), require$$3 = require('perf_hooks'), require$$4 = require('os'), commonjsGlobal = globalThis;\n" + t); } }
  };
  const realCreate = URL.createObjectURL;
  URL.createObjectURL = (blob) => {
    const text = texts.get(blob);
    if (text == null) return realCreate(blob);
    if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
      mainPath = join(dir, 'main.js'); writeFileSync(mainPath, text); return mainPath;
    }
    // the worker script: load the main script from the file we wrote, not from a blob: URL
    const p = join(dir, 'worker.js');
    writeFileSync(p, text.replace('var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)', `importScripts(${JSON.stringify(join(dir, 'main.js'))})`));
    return p;
  };
}
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
wasmPkg.setWasmPaths(wasmDir + '/', false);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
wasmPkg.setThreadsCount(Number(process.argv[3] ?? 2));
try {
  const ok = await tf.setBackend('wasm');
  console.log('setBackend', ok, 'threads', wasmPkg.getThreadsCount());
  const x = tf.randomNormal([64, 16, 16, 128]); const f = tf.randomNormal([4, 4, 128, 256]);
  for (let i = 0; i < 6; i++) { const s = performance.now(); tf.tidy(() => { tf.conv2d(x, f, 2, 'same').dataSync(); }); console.log('conv ms', (performance.now() - s).toFixed(1)); }
} catch (e) { console.log('FAILED:', e?.code ?? '', String(e?.message ?? e).split('\n')[0]); }
process.exit(0);
