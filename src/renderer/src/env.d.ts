/// <reference types="vite/client" />

import type { GanStudioApi } from '@shared/contract';

declare global {
  interface Window {
    /**
     * The studio API from the preload script. Undefined when the renderer runs
     * in a plain browser (`gan-studio serve`): use getApi() from ./api, which
     * picks the WebSocket client there.
     */
    readonly ganStudio?: GanStudioApi;
  }
}

export {};
