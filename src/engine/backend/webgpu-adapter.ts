/**
 * Finding a WebGPU adapter in Node through Dawn (the npm package `webgpu`, an
 * optional dependency that ships a prebuilt dawn.node per platform), and telling
 * a real GPU from a CPU emulation. Nothing here touches tfjs.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GpuAdapterSummary } from '../../shared/gpu-adapter';

export type { GpuAdapterSummary };

/**
 * GPUAdapter.info as Dawn has it. The WebGPU types tfjs-core pulls in (@webgpu/types
 * 0.1.38) predate adapter.info, hence this declaration.
 */
export interface AdapterInfoFields {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

/** The adapter's info, typed (see AdapterInfoFields). */
export function adapterInfoOf(adapter: GPUAdapter): AdapterInfoFields {
  return (adapter as GPUAdapter & { info: AdapterInfoFields }).info;
}

/** What the `webgpu` package exports (typed loosely: its own types need @webgpu/types globals). */
interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

export type AdapterFind =
  { ok: true; gpu: GPU; adapter: GPUAdapter; summary: GpuAdapterSummary } | { ok: false; reason: string };

/**
 * Software rasterisers that show up as Vulkan / D3D12 / Metal devices. They run
 * shaders on the CPU, far slower than our wasm kernels, so auto never uses them.
 */
const EMULATION_PATTERN = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render|\bwarp\b/i;

/** Why this adapter is a CPU emulation, or null for a real GPU. */
export function emulationReason(info: {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}): string | null {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const m = EMULATION_PATTERN.exec(text);
  if (m) return `a CPU emulation (${m[0].toLowerCase() === 'swiftshader' ? 'SwiftShader' : m[0]})`;
  return info.isFallbackAdapter === true ? 'a fallback adapter (CPU emulation)' : null;
}

/** What a user needs to get a WebGPU adapter on this platform. */
function driverHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux')
    return 'install a Vulkan driver: mesa-vulkan-drivers for AMD/Intel, or the NVIDIA driver with its Vulkan ICD';
  if (platform === 'win32') return 'update the GPU driver (Dawn uses D3D12 or Vulkan)';
  if (platform === 'darwin') return 'WebGPU uses Metal, available on macOS 11 and later';
  return `Dawn has no prebuilt binary for ${platform}`;
}

/**
 * Linux: the Vulkan driver manifests (ICD files) the loader would read, in the
 * loader's own search order. Dawn reaches GPUs on Linux only through Vulkan, so
 * with none there is no adapter, and asking Dawn would only print loader warnings.
 */
export function vulkanDriverFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = [env.VK_DRIVER_FILES, env.VK_ICD_FILENAMES, env.VK_ADD_DRIVER_FILES]
    .filter((v): v is string => v != null && v !== '')
    .flatMap((v) => v.split(':'))
    .filter((f) => f !== '' && existsSync(f));
  if (explicit.length > 0 || env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES) return explicit;
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const dirs = [
    join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'vulkan/icd.d'),
    '/etc/xdg/vulkan/icd.d',
    '/etc/vulkan/icd.d',
    join(env.XDG_DATA_HOME || join(homedir(), '.local/share'), 'vulkan/icd.d'),
    ...dataDirs.map((d) => join(d, 'vulkan/icd.d')),
  ];
  const files: string[] = [];
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir)) if (f.endsWith('.json')) files.push(join(dir, f));
    } catch {
      // no such folder
    }
  }
  return files;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n').find((l) => l.trim() !== '') ?? msg;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

let dawn: Promise<{ ok: true; gpu: GPU } | { ok: false; reason: string }> | null = null;

/**
 * Profiling only (bench/profile-step.ts, the GPU kit): GPU timestamps at full
 * precision. Dawn rounds timestamp queries to 2^16 ns (65.5 µs, measured on
 * SwiftShader) unless its timestamp_quantization toggle is off, which needs
 * allow_unsafe_apis; and the device must be created with 'timestamp-query'.
 * Normal training never asks for either.
 */
let gpuTimestamps = false;
const TIMESTAMP_FLAGS = ['enable-dawn-features=allow_unsafe_apis', 'disable-dawn-features=timestamp_quantization'];

/** Asks for full-precision GPU timestamps (profiling). It must come before Dawn loads, i.e. before webgpu starts. */
export function requestGpuTimestamps(): void {
  if (dawn != null && !gpuTimestamps)
    throw new Error('GPU timestamps must be requested before Dawn is loaded (before the webgpu backend starts)');
  gpuTimestamps = true;
}

/** Whether requestGpuTimestamps was called: devices are then created with 'timestamp-query' where the adapter has it. */
export function gpuTimestampsRequested(): boolean {
  return gpuTimestamps;
}

/**
 * Loads dawn.node once per process, installs the WebGPU globals (GPUBufferUsage, …)
 * and `navigator.gpu`: tfjs-backend-webgpu checks navigator.gpu in its backend's
 * constructor. Never throws.
 */
function loadDawn(): Promise<{ ok: true; gpu: GPU } | { ok: false; reason: string }> {
  dawn ??= (async () => {
    let mod: DawnModule;
    try {
      const spec: string = 'webgpu'; // a variable keeps bundlers from resolving the optional module
      mod = (await import(/* @vite-ignore */ spec)) as DawnModule;
    } catch (err) {
      const msg = firstLine(err);
      if (/Cannot find (package|module) ['"]webgpu['"]/.test(msg)) {
        return { ok: false, reason: 'the optional package webgpu (Dawn) is not installed (npm install webgpu)' };
      }
      return {
        ok: false,
        reason: `Dawn (the webgpu package) failed to load on ${process.platform}-${process.arch}: ${msg}`,
      };
    }
    try {
      for (const [key, value] of Object.entries(mod.globals)) {
        if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
      }
      const gpu = mod.create(gpuTimestamps ? TIMESTAMP_FLAGS : []);
      const g = globalThis as unknown as { navigator?: Record<string, unknown> };
      if (g.navigator == null)
        Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
      return { ok: true, gpu };
    } catch (err) {
      return { ok: false, reason: `Dawn failed to start: ${firstLine(err)}` };
    }
  })();
  return dawn;
}

function summarize(adapter: GPUAdapter): GpuAdapterSummary {
  const info = adapterInfoOf(adapter);
  const plain = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  };
  const emulation = emulationReason(plain);
  const l = adapter.limits;
  return {
    vendor: plain.vendor,
    architecture: plain.architecture,
    device: plain.device,
    description: plain.description,
    fallback: plain.isFallbackAdapter === true,
    emulation,
    limits: {
      maxBufferSize: Number(l.maxBufferSize),
      maxStorageBufferBindingSize: Number(l.maxStorageBufferBindingSize),
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    },
  };
}

/** One line naming an adapter, e.g. "nvidia hopper (NVIDIA H200), a real GPU". */
export function describeAdapter(a: GpuAdapterSummary): string {
  const name = [a.vendor, a.architecture].filter((s) => s !== '').join(' ') || 'unknown vendor';
  const desc = a.description !== '' ? ` (${a.description})` : '';
  return `${name}${desc}, ${a.emulation ?? 'a real GPU'}`;
}

let found: Promise<AdapterFind> | null = null;

/** An adapter makes one device; after a device loss the next findAdapter asks Dawn again. */
export function forgetAdapter(): void {
  found = null;
}

/** The high-performance adapter Dawn finds, once per process (until forgetAdapter). Never throws. */
export function findAdapter(): Promise<AdapterFind> {
  found ??= (async (): Promise<AdapterFind> => {
    if (process.platform === 'linux' && vulkanDriverFiles().length === 0) {
      return {
        ok: false,
        reason: `no Vulkan driver is installed (no ICD file in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d): ${driverHint()}`,
      };
    }
    const d = await loadDawn();
    if (!d.ok) return d;
    let adapter: GPUAdapter | null;
    try {
      adapter = await d.gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch (err) {
      return { ok: false, reason: `Dawn could not look for a GPU: ${firstLine(err)}` };
    }
    if (adapter == null) return { ok: false, reason: `Dawn found no GPU adapter (${driverHint()})` };
    return { ok: true, gpu: d.gpu, adapter, summary: summarize(adapter) };
  })();
  return found;
}
