/**
 * The multi-threaded SIMD build of `@tensorflow/tfjs-backend-wasm` under Node:
 * XNNPACK's thread pool on Emscripten pthreads, which are `worker_threads` sharing
 * the module's `SharedArrayBuffer` memory.
 *
 * Why the stock package cannot do this in Node (tfjs 4.22), and what this module does
 * instead of its `init()`:
 * - `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false in Node (tfjs#3830), so the
 *   stock factory never picks the threaded build. We load the threaded Emscripten glue
 *   (`wasm-out/tfjs-backend-wasm-threaded-simd.js`, which the package ships) ourselves.
 * - The stock loader starts pthread workers from `blob:` URLs, which `worker_threads`
 *   rejects (ERR_WORKER_PATH). Our `locateFile` hands Emscripten a `data:` URL object
 *   instead (Node accepts those) holding a small ES-module bootstrap that runs the
 *   package's own worker script; the worker loads the glue from its file path.
 * - THE reason an earlier attempt stayed at one thread after all that: the C++ side
 *   caps the pool at `emscripten_num_logical_cores() / 2` ("Many x86-64 processors
 *   have 2 threads per core"), and in Node that import returns `os.cpus().length`.
 *   On a 2-CPU machine the cap is 1 whatever `setThreadsCount` asks for. Our
 *   `instantiateWasm` replaces that one import so the cap is the thread count asked for.
 *
 * The same tfjs `BackendWasm` class runs on top, so every stock and GAN Studio kernel
 * is unchanged; only XNNPACK's operators (convolutions, matMul, element-wise) use the
 * extra threads.
 *
 * A crashed pthread cannot be recovered in-process: the main thread is blocked inside
 * XNNPACK waiting for it. The worker bootstrap therefore catches the crash, prints one
 * line saying so and ends the process (exit by SIGKILL, the only way a worker thread
 * can end its process while the main thread is blocked). Nothing of the interrupted
 * step has been written (checkpoints are written atomically between steps), so the run
 * resumes from its last checkpoint.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';

/** Environment variable read by the pthread bootstrap: `crash` makes each thread throw as it starts (tests only). */
export const THREAD_FAULT_ENV = 'GAN_STUDIO_TEST_WASM_THREAD_FAULT';

export interface ThreadedWasmFiles {
  glue: string;
  wasm: string;
  workerContents: string;
}

/** Paths of the threaded build inside node_modules, or a reason why it is missing. */
export function threadedWasmFiles(): ThreadedWasmFiles | string {
  try {
    const require = createRequire(import.meta.url);
    const glue = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
    const dir = dirname(glue);
    const wasm = join(dir, 'tfjs-backend-wasm-threaded-simd.wasm');
    if (!existsSync(wasm)) return `the threaded wasm binary is missing (${wasm})`;
    const mod = require(join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents?: unknown };
    if (typeof mod.wasmWorkerContents !== 'string') return 'the threaded wasm build has no worker script';
    // The worker script is one minified line whose "\n" escapes became real newlines
    // in the template literal it ships as; tfjs undoes that the same way.
    return { glue, wasm, workerContents: mod.wasmWorkerContents.replace(/\n/g, '\\n') };
  } catch (err) {
    return `the threaded wasm build of @tensorflow/tfjs-backend-wasm was not found (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}

/**
 * The ES-module source each pthread worker starts with. It defines what the package's
 * CommonJS worker script expects (`require`, `__filename`), runs it, and wraps its
 * message handler so a crash ends the process with one clear line instead of a hang.
 */
function bootstrapSource(files: ThreadedWasmFiles): string {
  return [
    "import { createRequire } from 'node:module';",
    "import { writeSync } from 'node:fs';",
    `const glue = ${JSON.stringify(files.glue)};`,
    'const require = createRequire(glue);',
    `new Function('require', '__filename', ${JSON.stringify(files.workerContents)})(require, glue);`,
    `const fault = process.env[${JSON.stringify(THREAD_FAULT_ENV)}];`,
    'const handle = globalThis.onmessage;',
    'function crashed(err) {',
    '  const why = err instanceof Error ? err.message : String(err);',
    "  writeSync(2, `error: a wasm compute thread crashed (${why.split('\\n')[0]}); training stopped and nothing of the interrupted work was saved. Resume from the last checkpoint, or train with --threads 1.\\n`);",
    "  process.kill(process.pid, 'SIGKILL');",
    '}',
    'globalThis.onmessage = (e) => {',
    '  try {',
    "    if (fault === 'crash' && e.data && e.data.cmd === 'run') throw new Error('fault injected by ' + " +
      JSON.stringify(THREAD_FAULT_ENV) +
      ');',
    '    handle(e);',
    '  } catch (err) {',
    "    if (err === 'unwind') return;",
    '    crashed(err);',
    '  }',
    '};',
  ].join('\n');
}

interface EmscriptenWorker {
  onerror: ((e: unknown) => void) | null;
  unref(): void;
  terminate(): Promise<number>;
}

export interface ThreadedWasmModule {
  PThread: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] };
  cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => unknown;
  tfjs?: Record<string, unknown>;
  [key: string]: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedWasmModule>;

/**
 * Instantiates the threaded build with a pool of `threads` (≥ 2) threads counting the
 * calling one. Resolves to the Emscripten module with the `tfjs` bridge that tfjs's own
 * `init()` adds, ready for `new BackendWasm(module)` (after `setThreadsCount(threads)`).
 */
export async function loadThreadedWasm(threads: number): Promise<ThreadedWasmModule> {
  const files = threadedWasmFiles();
  if (typeof files === 'string') throw new Error(files);
  const require = createRequire(import.meta.url);
  const factory = require(files.glue) as Factory;
  const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(bootstrapSource(files))}`);
  const bytes = readFileSync(files.wasm);
  let failInstantiate: (err: unknown) => void = () => {};
  const instantiateFailed = new Promise<never>((_, reject) => {
    failInstantiate = reject;
  });
  const ready = factory({
    // Emscripten passes this straight to `new Worker(…)`: a URL object, which Node accepts for data: URLs.
    locateFile: (path: string, prefix: string) =>
      path.endsWith('.worker.js') ? workerUrl : path.endsWith('.wasm') ? files.wasm : prefix + path,
    // Posted to each worker, which `importScripts` it: a plain file path works in Node.
    mainScriptUrlOrBlob: files.glue,
    instantiateWasm: (
      info: { env: Record<string, unknown> },
      receiveInstance: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
    ) => {
      // `int num_cores = emscripten_num_logical_cores() / 2` caps the pool (see the header).
      const env = { ...info.env, emscripten_num_logical_cores: () => 2 * threads };
      const imports: Record<string, unknown> = { ...info, env, wasi_snapshot_preview1: env };
      WebAssembly.instantiate(bytes, imports as WebAssembly.Imports).then(
        ({ instance, module }) => receiveInstance(instance, module),
        failInstantiate,
      );
      return {};
    },
  });
  const module = await Promise.race([ready, instantiateFailed]);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * After the backend created its thread pool: the pool's threads must not keep the
 * process alive (Emscripten `ref()`s a worker while it runs a pthread, and XNNPACK's
 * threads run until exit), and the 8 workers Emscripten preloads beyond the pool are
 * ended to free their memory.
 */
export function settleThreadPool(module: ThreadedWasmModule): void {
  for (const w of module.PThread.runningWorkers) w.unref();
  for (const w of module.PThread.unusedWorkers.splice(0)) void w.terminate();
}

/**
 * Physical CPU cores (not SMT siblings): the default thread count. Linux: distinct
 * thread-sibling sets in sysfs; elsewhere half the logical CPUs when there are more
 * than 2, since desktop x86 CPUs run 2 threads per core.
 */
export function physicalCores(): number {
  const logical = Math.max(1, typeof availableParallelism === 'function' ? availableParallelism() : cpus().length);
  try {
    const base = '/sys/devices/system/cpu';
    const sets = new Set<string>();
    for (const d of readdirSync(base)) {
      if (!/^cpu\d+$/.test(d)) continue;
      try {
        sets.add(readFileSync(join(base, d, 'topology', 'thread_siblings_list'), 'utf8').trim());
      } catch {
        // offline CPU: no topology
      }
    }
    if (sets.size > 0) return Math.min(sets.size, logical);
  } catch {
    // not Linux
  }
  return logical > 2 ? Math.floor(logical / 2) : logical;
}
