import type { GanStudioApi } from '../../shared/ipc';

/** The preload API, or null outside Electron (a plain browser tab). */
export function studioApi(): GanStudioApi | null {
  return typeof window !== 'undefined' && window.ganStudio ? window.ganStudio : null;
}
