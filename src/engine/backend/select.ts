/**
 * Choosing the tfjs backend GAN Studio trains on.
 *
 * Preference order (fastest first): tensorflow-gpu (@tensorflow/tfjs-node-gpu on a
 * CUDA GPU), webgpu (@tensorflow/tfjs-backend-webgpu on Dawn: Vulkan, D3D12 or
 * Metal, any GPU vendor; auto takes it only on a real GPU, never on a CPU emulation
 * such as SwiftShader), tensorflow (@tensorflow/tfjs-node, native libtensorflow on the CPU),
 * wasm (@tensorflow/tfjs-backend-wasm, XNNPACK + SIMD) and cpu (plain JavaScript,
 * a reference, very slow). The two native ones are optional dependencies and are
 * loaded lazily; both register the tfjs backend named 'tensorflow'.
 *
 * "Backend" names three things in this codebase: this compute backend (the
 * `BackendName` a run's config asks for, e.g. 'tensorflow-gpu'), the tfjs
 * backend it registers (`tf.getBackend()`, e.g. 'tensorflow'; see
 * ActiveBackend.tfBackend), and the studio backend (src/studio/backend.ts,
 * the app's server side behind the UI), which has nothing to do with either.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../shared/config';
import { UserError } from '../errors';
import { registerLazyFusedGradients } from './fused-gradients';
import { registerZeroGradients } from './gradients';
import { loadNative, loadedNativePackage, nativeBackendInfo, type NativeLoad } from './native';
import { prepareWasm, wasmFeatures, withoutEmscriptenProcessHandlers } from './wasm';
import { activateWebGpu } from './webgpu';
import type { GpuAdapterSummary } from './webgpu-adapter';

export type ConcreteBackendName = Exclude<BackendName, 'auto'>;

/** Every concrete backend, fastest first: the order 'auto' tries them in. */
export const BACKEND_PREFERENCE: readonly ConcreteBackendName[] = [
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'wasm',
  'cpu',
];

export interface BackendStatus {
  name: ConcreteBackendName;
  available: boolean;
  /** "ready", or one line on why not, e.g. "@tensorflow/tfjs-node is not installed (…)". */
  reason: string;
  /** False when auto passes over this backend even though it runs (webgpu on a CPU emulation). */
  auto: boolean;
  /** webgpu: the adapter Dawn found (also when it cannot be used, e.g. an emulation). */
  adapter?: GpuAdapterSummary;
}

export interface ActiveBackend {
  name: ConcreteBackendName;
  /** tf.getBackend() after the switch: 'tensorflow', 'wasm' or 'cpu'. */
  tfBackend: string;
  /** One line for users: why this backend was picked. */
  why: string;
  /** webgpu: the adapter it runs on. */
  adapter?: GpuAdapterSummary;
}

/** An explicitly requested backend cannot be used. The message is one line naming it and the reason. */
export class BackendError extends UserError {
  override name = 'BackendError';
  readonly backend: BackendName;
  readonly reason: string;
  constructor(backend: BackendName, reason: string) {
    super(`Backend '${backend}' is not available: ${reason}`);
    this.backend = backend;
    this.reason = reason;
  }
}

const TF_BACKEND: Record<ConcreteBackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** `skipByAuto`: the backend runs, but auto must not pick it (and why). */
type Check = ({ ok: true; detail: string; skipByAuto?: string } | { ok: false; reason: string }) & {
  adapter?: GpuAdapterSummary;
};

/** Backend active right now, or undefined when none was chosen yet (tf.getBackend() may return undefined). */
function currentBackend(): string | undefined {
  return tf.getBackend() as string | undefined;
}

/** The cpu backend's first write prints "install tfjs-node" advice that does not fit GAN Studio. */
function quietCpuBanner(): void {
  const cpu = tf.engine().registry.cpu as unknown as { firstUse?: boolean } | undefined;
  if (cpu != null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}

async function switchTo(tfName: string): Promise<boolean> {
  if (currentBackend() === tfName && tf.engine().registry[tfName] != null) return true;
  const ok = await tf.setBackend(tfName);
  if (tfName === 'cpu') quietCpuBanner();
  return ok;
}

async function loadNativeFor(name: 'tensorflow' | 'tensorflow-gpu'): Promise<NativeLoad> {
  // Never load both packages: two libtensorflow builds in one process clash.
  const already = await loadedNativePackage();
  if (already != null) return { pkg: already, loaded: true };
  if (name === 'tensorflow-gpu') return loadNative('@tensorflow/tfjs-node-gpu');
  const cpuBuild = await loadNative('@tensorflow/tfjs-node');
  if (cpuBuild.loaded) return cpuBuild;
  // The GPU build also runs on the CPU; use it when it is the one installed.
  const gpuBuild = await loadNative('@tensorflow/tfjs-node-gpu');
  return gpuBuild.loaded ? gpuBuild : cpuBuild;
}

/**
 * Makes `name` the active tfjs backend if it can run here. Never throws. On failure
 * the active backend may have changed (importing tfjs-node switches to it); callers restore.
 */
async function activate(name: ConcreteBackendName, wasmThreads?: number): Promise<Check> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        const load = await loadNativeFor(name);
        if (!load.loaded) return { ok: false, reason: load.reason ?? `${load.pkg} failed to load` };
        if (!(await switchTo('tensorflow'))) {
          return { ok: false, reason: `${load.pkg} loaded but its TensorFlow backend failed to initialise` };
        }
        const info = nativeBackendInfo(tf.backend());
        if (name === 'tensorflow-gpu') {
          if (info == null || !info.isGPUPackage) {
            return {
              ok: false,
              reason:
                'the CPU build @tensorflow/tfjs-node is already loaded in this process (restart to use the GPU build)',
            };
          }
          if (!info.isUsingGpuDevice) {
            return {
              ok: false,
              reason:
                '@tensorflow/tfjs-node-gpu loaded but TensorFlow sees no GPU (needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1)',
            };
          }
          return { ok: true, detail: 'native TensorFlow on a CUDA GPU (@tensorflow/tfjs-node-gpu)' };
        }
        const via = load.pkg === '@tensorflow/tfjs-node-gpu' ? ' via @tensorflow/tfjs-node-gpu' : '';
        const onGpu = info?.isUsingGpuDevice ? ', GPU visible' : '';
        return { ok: true, detail: `native TensorFlow (libtensorflow${via}${onGpu})` };
      }
      case 'webgpu': {
        const r = await activateWebGpu();
        if (!r.ok) return r;
        const skipByAuto =
          r.adapter.emulation != null ? `the only adapter is ${r.adapter.emulation}, slower than wasm` : undefined;
        return { ok: true, detail: r.detail, adapter: r.adapter, skipByAuto };
      }
      case 'wasm': {
        const reason = prepareWasm(wasmThreads);
        if (reason != null) return { ok: false, reason };
        if (!(await withoutEmscriptenProcessHandlers(() => switchTo('wasm')))) {
          return { ok: false, reason: 'the WebAssembly module failed to initialise (see the tfjs warning above)' };
        }
        return { ok: true, detail: `WebAssembly (${await wasmFeatures()})` };
      }
      case 'cpu': {
        if (!(await switchTo('cpu'))) return { ok: false, reason: 'the JavaScript cpu backend failed to initialise' };
        return { ok: true, detail: 'plain JavaScript (very slow; a reference backend)' };
      }
    }
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}

async function restore(prev: string | undefined): Promise<void> {
  if (prev != null && currentBackend() !== prev) await tf.setBackend(prev);
}

/**
 * Which backends can run here, all four in preference order. Each is tried for real
 * (a native package is imported, wasm is instantiated), then the backend that was
 * active before is restored. When none was active yet, the fastest available one is
 * left active, which is what tfjs itself would pick.
 */
export async function probeBackends(): Promise<BackendStatus[]> {
  const prev = currentBackend();
  const out: BackendStatus[] = [];
  try {
    for (const name of BACKEND_PREFERENCE) {
      const r = await activate(name);
      const adapter = r.adapter != null ? { adapter: r.adapter } : {};
      if (!r.ok) out.push({ name, available: false, reason: r.reason, auto: true, ...adapter });
      else if (r.skipByAuto != null)
        out.push({
          name,
          available: true,
          reason: `ready, but auto skips it: ${r.skipByAuto}`,
          auto: false,
          ...adapter,
        });
      else out.push({ name, available: true, reason: 'ready', auto: true, ...adapter });
    }
  } finally {
    if (prev != null) {
      await restore(prev);
    } else {
      const best = out.find((s) => s.available && s.auto);
      if (best != null) await switchTo(TF_BACKEND[best.name]);
    }
  }
  return out;
}

/** The head of a reason, for the one-line `why`: up to the first " (" or ": ". */
function brief(reason: string): string {
  const cut = [reason.indexOf(' ('), reason.indexOf(': ')].filter((i) => i > 0);
  return cut.length > 0 ? reason.slice(0, Math.min(...cut)) : reason;
}

function finish(name: ConcreteBackendName, why: string, adapter?: GpuAdapterSummary): ActiveBackend {
  registerZeroGradients();
  registerLazyFusedGradients();
  return { name, tfBackend: tf.getBackend(), why, ...(adapter != null ? { adapter } : {}) };
}

export interface ActivateBackendOptions {
  /** CPU threads for the wasm backend (1: single-threaded build); undefined keeps what is set up. Native backends pick their own. */
  threads?: number;
}

/**
 * Activates a backend for training. 'auto' takes the first that works in
 * BACKEND_PREFERENCE; an explicit name that cannot run throws BackendError and
 * leaves the previously active backend in place. Also registers what training
 * needs: the extra wasm kernels, zero gradients for comparison ops and lazy
 * gradients for the fused conv/matMul ops (./fused-gradients.ts).
 */
export async function activateBackend(
  requested: BackendName,
  options: ActivateBackendOptions = {},
): Promise<ActiveBackend> {
  const prev = currentBackend();
  const { threads } = options;
  if (requested !== 'auto') {
    if (!BACKEND_PREFERENCE.includes(requested)) {
      throw new BackendError(requested, `unknown backend (choose one of auto, ${BACKEND_PREFERENCE.join(', ')})`);
    }
    const r = await activate(requested, threads);
    if (!r.ok) {
      await restore(prev);
      throw new BackendError(requested, r.reason);
    }
    const slow = r.skipByAuto != null ? ` (${r.skipByAuto})` : '';
    return finish(requested, `${requested} as requested: ${r.detail}${slow}`, r.adapter);
  }
  const skipped: string[] = [];
  for (const name of BACKEND_PREFERENCE) {
    const r = await activate(name, threads);
    if (r.ok && r.skipByAuto != null) {
      skipped.push(`${name} (${r.skipByAuto})`);
      continue;
    }
    if (r.ok) {
      const because = skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '';
      return finish(name, `auto picked ${name}, the fastest available: ${r.detail}${because}`, r.adapter);
    }
    skipped.push(`${name} (${brief(r.reason)})`);
  }
  await restore(prev);
  throw new BackendError('auto', `no backend could start: ${skipped.join('; ')}`);
}
