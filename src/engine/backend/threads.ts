/**
 * The `threads` option: how many CPU threads the wasm backend's XNNPACK pool gets.
 * 0 means all physical cores, resolved once when a run starts so that the run's
 * config.json records the number that actually ran.
 */
import { physicalCores } from './wasm-threads';

export { physicalCores };

/** `threads` as given (≥ 1), or the physical cores for 0. */
export function resolveThreads(threads: number): number {
  return threads > 0 ? threads : physicalCores();
}

/** The config with `threads` resolved (a copy when it changes). */
export function withResolvedThreads<T extends { threads: number }>(config: T): T {
  const threads = resolveThreads(config.threads);
  return threads === config.threads ? config : { ...config, threads };
}
