/**
 * Loading the native TensorFlow backends (`@tensorflow/tfjs-node`, `@tensorflow/tfjs-node-gpu`).
 *
 * Both are optionalDependencies: their install downloads libtensorflow and fails on
 * machines without that download, so they are imported dynamically and a missing
 * package is an ordinary "not installed" answer, never a crash. When present they
 * register the backend 'tensorflow' on the shared tfjs-core engine (tfjs-core keeps
 * its engine and kernel registry on globalThis), and their import also calls
 * `tf.setBackend('tensorflow')`: callers that only probe must restore the backend.
 */
import * as tf from '@tensorflow/tfjs';

export type NativePackage = '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

export interface NativeLoad {
  pkg: NativePackage;
  loaded: boolean;
  /** Set when loaded is false: one line, e.g. "@tensorflow/tfjs-node is not installed (…)". */
  reason?: string;
}

const loads = new Map<NativePackage, Promise<NativeLoad>>();

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n').find((l) => l.trim() !== '') ?? msg;
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}

/** True when the package itself is missing (not one of its files or dependencies, such as its native addon). */
function isModuleNotFound(err: unknown, pkg: string): boolean {
  const msg = (err as { message?: unknown } | null)?.message;
  if (typeof msg !== 'string') return false;
  const escaped = pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`Cannot find (package|module) ['"]${escaped}['"]`).test(msg);
}

/** Human reason for a failed import of a native package. */
export function describeNativeFailure(pkg: NativePackage, err: unknown): string {
  if (isModuleNotFound(err, pkg)) {
    return `${pkg} is not installed (an optional dependency: its install downloads libtensorflow, which failed or was skipped)`;
  }
  const msg = firstLine(err);
  if (/libtensorflow|\.so|\.dll|dylib|tfjs_binding|napi|node-pre-gyp|cannot open shared object/i.test(msg)) {
    return `libtensorflow not installed or not loadable (${pkg} failed to load: ${msg})`;
  }
  return `${pkg} failed to load: ${msg}`;
}

/**
 * Imports a native package once per process. Never throws; the backend 'tensorflow'
 * is registered (and made active by the package itself) when `loaded` is true.
 */
export function loadNative(pkg: NativePackage): Promise<NativeLoad> {
  let p = loads.get(pkg);
  if (p == null) {
    p = (async (): Promise<NativeLoad> => {
      try {
        const spec: string = pkg; // a variable keeps tsc and bundlers from resolving the optional module
        await import(/* @vite-ignore */ spec);
      } catch (err) {
        return { pkg, loaded: false, reason: describeNativeFailure(pkg, err) };
      }
      if (tf.findBackendFactory('tensorflow') == null) {
        return {
          pkg,
          loaded: false,
          reason: `${pkg} loaded but did not register backend 'tensorflow' with this @tensorflow/tfjs (version mismatch? need 4.22)`,
        };
      }
      return { pkg, loaded: true };
    })();
    loads.set(pkg, p);
  }
  return p;
}

/** Which native package, if any, was loaded successfully in this process. */
export async function loadedNativePackage(): Promise<NativePackage | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const) {
    const p = loads.get(pkg);
    if (p != null && (await p).loaded) return pkg;
  }
  return null;
}

/** Fields tfjs-node's NodeJSKernelBackend exposes (absent on other backends). */
export interface NativeBackendInfo {
  isGPUPackage: boolean;
  isUsingGpuDevice: boolean;
}

export function nativeBackendInfo(backend: tf.KernelBackend | undefined): NativeBackendInfo | null {
  if (backend == null) return null;
  const b = backend as unknown as Partial<NativeBackendInfo>;
  if (typeof b.isGPUPackage !== 'boolean') return null;
  return { isGPUPackage: b.isGPUPackage, isUsingGpuDevice: b.isUsingGpuDevice === true };
}
