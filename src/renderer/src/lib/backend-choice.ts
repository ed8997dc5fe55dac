/**
 * What the Train view says about compute backends: which one a choice (auto or
 * a named backend) trains on here, why auto passed over the ones before it, and
 * the WebGPU adapter (or why there is none). Pure, from `studio:backends`.
 */
import type { BackendInfo, BackendsInfo } from '@shared/contract';
import type { GpuAdapterSummary } from '@shared/gpu-adapter';

export interface BackendExplanation {
  /** The backend the choice trains on, or null when it cannot train here. */
  trainsOn: string | null;
  /** One line: what the choice does here. */
  headline: string;
  /** auto: one line per backend it tried before the one it picks, saying why it passed. */
  skipped: string[];
  /** The names of those backends, in the same order (the one-line summary). */
  skippedNames: string[];
  /** A named backend that is not available here: why. */
  problem: string | null;
}

/** "nvidia hopper (NVIDIA H200)", with a flag when it is an emulation or a fallback adapter. */
function adapterLine(a: GpuAdapterSummary): string {
  const name = [a.vendor, a.architecture].filter((s) => s !== '').join(' ') || 'unknown vendor';
  const desc = a.description !== '' ? ` (${a.description})` : '';
  const flags = [a.emulation ? `${a.emulation}` : 'a real GPU', a.fallback && !a.emulation ? 'fallback adapter' : null]
    .filter((f): f is string => f != null)
    .join(', ');
  return `${name}${desc}: ${flags}`;
}

/** The WebGPU entry's adapter line, or why there is no adapter. */
export function webgpuLine(info: BackendsInfo): string | null {
  const w = info.backends.find((b) => b.name === 'webgpu');
  if (!w) return null;
  if (w.adapter) return adapterLine(w.adapter);
  return `no adapter: ${w.reason}`;
}

function whySkipped(b: BackendInfo): string {
  if (!b.available) return `${b.name} skipped: ${b.reason}`;
  if (b.name === 'webgpu' && b.adapter?.emulation)
    return `${b.name} skipped: ${b.adapter.emulation} (slower than wasm)`;
  return `${b.name} skipped: ${b.reason}`;
}

export function explainBackend(info: BackendsInfo, choice: string): BackendExplanation {
  if (choice === 'auto') {
    const tried: BackendInfo[] = [];
    for (const b of info.backends) {
      if (b.name === info.auto) break;
      tried.push(b);
    }
    return {
      trainsOn: info.auto,
      headline: info.auto ? `auto trains on ${info.auto} here` : 'auto finds no backend that can train here',
      skipped: tried.map(whySkipped),
      skippedNames: tried.map((b) => b.name),
      problem: null,
    };
  }
  const b = info.backends.find((x) => x.name === choice);
  const none = { skipped: [], skippedNames: [] };
  if (!b) return { trainsOn: null, headline: `${choice} is not a backend`, ...none, problem: null };
  if (!b.available) return { trainsOn: null, headline: `${choice} cannot train here`, ...none, problem: b.reason };
  const slow = b.name === 'webgpu' && b.adapter?.emulation ? ` (on ${b.adapter.emulation}: slower than wasm)` : '';
  return { trainsOn: b.name, headline: `trains on ${b.name}${slow}`, ...none, problem: null };
}
