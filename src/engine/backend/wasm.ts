/**
 * Setting up the WebAssembly backend in Node: the `.wasm` binaries ship inside
 * `@tensorflow/tfjs-backend-wasm`, so they are read from node_modules with `fs`
 * (never fetched), and GAN Studio's extra wasm kernels are registered once.
 */
import type { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from './wasm-kernels';
import { loadThreadedWasm, settleThreadPool, threadedWasmFiles } from './wasm-threads';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** The folder holding the wasm binaries, or null when they cannot be found. */
export function wasmBinaryDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@tensorflow/tfjs-backend-wasm'); // …/dist/tf-backend-wasm.node.js
    const dir = dirname(main);
    if (existsSync(join(dir, 'tfjs-backend-wasm.wasm'))) return dir;
    const dist = join(dir, 'dist');
    if (existsSync(join(dist, 'tfjs-backend-wasm.wasm'))) return dist;
  } catch {
    // fall through
  }
  return null;
}

let pathsSet = false;

interface FactoryEntry {
  factory: () => tf.KernelBackend | Promise<tf.KernelBackend>;
  priority: number;
}
type Registry = Record<string, FactoryEntry | undefined>;

/** tfjs's own factory for 'wasm' (single-threaded SIMD build), kept when ours replaces it. */
let stockFactory: FactoryEntry | undefined;
/** Thread count the registered 'wasm' factory starts (1: tfjs's stock factory). */
let factoryThreads = 1;

function factories(): Registry {
  return (tf.engine() as unknown as { registryFactory: Registry }).registryFactory;
}

/** Threads of the live wasm backend: XNNPACK's pool size, or null when wasm is not initialised. */
export function wasmThreadsInUse(): number | null {
  if (tf.engine().registry.wasm == null) return null;
  try {
    return Math.max(1, getThreadsCount());
  } catch {
    return 1;
  }
}

/**
 * Registers the 'wasm' factory for `threads` threads: tfjs's stock one for 1, ours
 * (./wasm-threads.ts) for more. An initialised wasm backend with another thread count
 * is replaced only when it holds no tensors. Returns why not, or null.
 */
function registerWasmFactory(threads: number): string | null {
  if (factoryThreads === 1) stockFactory ??= factories().wasm;
  const live = wasmThreadsInUse();
  if (live != null) {
    if (live === threads) return null;
    const backend = tf.engine().registry.wasm;
    if (backend.numDataIds() > 0) {
      return `the wasm backend already runs with ${live} thread${live === 1 ? '' : 's'} in this process and holds tensors (asked for ${threads})`;
    }
    tf.removeBackend('wasm');
  } else if (factoryThreads === threads && factories().wasm != null) {
    return null;
  } else if (factories().wasm != null) {
    tf.removeBackend('wasm');
  }
  if (stockFactory == null)
    return 'the wasm backend is not registered (import of @tensorflow/tfjs-backend-wasm failed)';
  if (threads <= 1) {
    tf.registerBackend('wasm', stockFactory.factory, stockFactory.priority);
  } else {
    const files = threadedWasmFiles();
    if (typeof files === 'string') return files;
    tf.registerBackend(
      'wasm',
      async () => {
        const module = await loadThreadedWasm(threads);
        setThreadsCount(threads);
        const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
        settleThreadPool(module);
        return backend;
      },
      stockFactory.priority,
    );
  }
  factoryThreads = threads;
  return null;
}

/**
 * Points the wasm backend at the binaries in node_modules, read through the file
 * system (usePlatformFetch false: no network, no fetch), and registers the factory for
 * `threads` threads (1: tfjs's single-threaded SIMD build; more: the threaded build,
 * ./wasm-threads.ts; undefined: leave the registered one). Must run before the wasm backend initialises, or while it holds
 * no tensors. Returns why wasm cannot work, or null.
 */
export function prepareWasm(threads?: number): string | null {
  registerWasmKernels();
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
    return 'this JavaScript runtime has no WebAssembly support';
  if (threads != null) {
    if (!Number.isInteger(threads) || threads < 1) return `threads must be a whole number ≥ 1 (got ${threads})`;
    const why = registerWasmFactory(threads);
    if (why != null) return why;
  }
  // Already initialised (tf.engine().registry holds live backends; tf.findBackend would initialise it).
  if (pathsSet || tf.engine().registry.wasm != null) return null;
  const dir = wasmBinaryDir();
  if (dir == null) {
    return `the .wasm binaries of @tensorflow/tfjs-backend-wasm were not found in node_modules (looked for ${WASM_FILES[1]})`;
  }
  const missing = WASM_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === WASM_FILES.length) return `no .wasm binaries in ${dir}`;
  try {
    // Trailing separator: the backend concatenates prefix + file name.
    setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`, false);
    pathsSet = true;
  } catch (err) {
    // Thrown only when an earlier initialisation already failed.
    return `the wasm backend already failed to initialise: ${err instanceof Error ? err.message : String(err)}`;
  }
  return null;
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const PROCESS_EVENTS: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

/**
 * Runs the wasm backend's initialisation (`init`, e.g. tf.setBackend('wasm')) and then
 * removes the process listeners its Emscripten runtime adds in Node: an
 * 'uncaughtException' and an 'unhandledRejection' listener that just rethrow. They
 * change nothing for a plain CLI (Node crashes on both anyway) but defeat an app's own
 * handlers, e.g. the studio's main process that reports errors instead of dying.
 * Only listeners added during `init` whose body rethrows are removed.
 */
export async function withoutEmscriptenProcessHandlers<T>(init: () => Promise<T>): Promise<T> {
  const emitter = process as unknown as EventEmitter;
  const before = new Map(PROCESS_EVENTS.map((e) => [e, new Set(emitter.listeners(e))] as const));
  try {
    return await init();
  } finally {
    for (const event of PROCESS_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (before.get(event)?.has(listener)) continue;
        if (/\bthrow\b/.test(String(listener))) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

/** One line about the wasm build in use: SIMD and threads. */
export async function wasmFeatures(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasmThreadsInUse() ?? 1;
  return `${simd ? 'SIMD' : 'no SIMD'}, ${threads === 1 ? '1 thread' : `${threads} threads`}`;
}
