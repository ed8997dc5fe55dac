/**
 * Preload script: the only bridge between the sandboxed renderer and main.
 *
 * It exposes `window.ganStudio` (`GanStudioApi`), one method per operation,
 * built from the method→channel tables in src/shared/contract/methods.ts. The
 * renderer never gets `ipcRenderer`, raw channel names or IPC event objects
 * (which carry `sender`), only plain data and, for events, an unsubscribe
 * function.
 *
 * Built as CommonJS (out/preload/index.cjs): sandboxed preloads cannot be ES
 * modules. It imports only src/shared/contract/methods.ts (zod-free) and types, so
 * the bundle stays free of zod and other dependencies.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_EVENT_METHODS, API_METHOD_CHANNELS } from '../shared/contract/methods';
import type { ConnectionState, GanStudioApi, IpcEventChannel, IpcEventPayload, Unsubscribe } from '../shared/contract';

function subscribe<E extends IpcEventChannel>(
  channel: E,
  listener: (payload: IpcEventPayload<E>) => void,
): Unsubscribe {
  const wrapped = (_event: IpcRendererEvent, payload: IpcEventPayload<E>): void => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const api: Record<string, unknown> = {};
for (const [method, channel] of Object.entries(API_METHOD_CHANNELS)) {
  // Only the request object crosses: a method never forwards extra arguments.
  api[method] = (request?: unknown) =>
    request === undefined ? ipcRenderer.invoke(channel) : ipcRenderer.invoke(channel, request);
}
for (const [method, channel] of Object.entries(API_EVENT_METHODS)) {
  api[method] = (listener: (payload: unknown) => void) =>
    subscribe(channel, listener as (payload: IpcEventPayload<typeof channel>) => void);
}
// The desktop app talks to main directly: always connected.
api.onConnectionChange = (listener: (state: ConnectionState) => void): Unsubscribe => {
  queueMicrotask(() => listener({ connected: true, attempt: 0, error: null }));
  return () => {};
};

contextBridge.exposeInMainWorld('ganStudio', api as unknown as GanStudioApi);
