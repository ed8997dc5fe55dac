/// <reference types="vite/client" />

import type { GanStudioApi } from '../../shared/ipc';

declare global {
  interface Window {
    /**
     * The studio API from the preload script. Undefined when the renderer runs
     * in a plain browser (e.g. the Vite dev server opened directly), so check
     * before use.
     */
    readonly ganStudio?: GanStudioApi;
  }
}

export {};
