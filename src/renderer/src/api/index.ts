/**
 * The one way the renderer reaches the studio: `getApi()` returns the same
 * `GanStudioApi` in both front ends.
 *  - Desktop app: `window.ganStudio`, exposed by the preload script.
 *  - Browser mode (`gan-studio serve`): a WebSocket client to the page's own
 *    server, authenticated with the `token` in the page URL; it reconnects by
 *    itself (watch `onConnectionChange`).
 */
import type { GanStudioApi } from '@shared/contract';
import { createSocketApi, socketUrlForPage, StudioSocket } from './ws-client';

export { createSocketApi, socketUrlForPage, StudioSocket } from './ws-client';

let api: GanStudioApi | null = null;
let socket: StudioSocket | null = null;

/** True in the desktop app (the preload API is there). */
function isDesktop(): boolean {
  return typeof window !== 'undefined' && window.ganStudio !== undefined;
}

export function getApi(): GanStudioApi {
  if (api) return api;
  if (isDesktop()) {
    api = window.ganStudio!;
  } else {
    socket = new StudioSocket({ url: socketUrlForPage(window.location) });
    api = createSocketApi(socket);
  }
  return api;
}

/** Replaces the API (component and store tests pass a fake). Pass null to go back to the real one. */
export function setApiForTesting(fake: GanStudioApi | null): void {
  socket?.close();
  socket = null;
  api = fake;
}
