/**
 * Preload script: the only bridge between the sandboxed renderer and main.
 *
 * It exposes `window.ganStudio` (`GanStudioApi`), one method per operation.
 * The renderer never gets `ipcRenderer`, raw channel names or IPC event
 * objects (which carry `sender`), only plain data and, for events, an
 * unsubscribe function.
 *
 * Built as CommonJS (out/preload/index.cjs): sandboxed preloads cannot be ES
 * modules. Everything it imports from src/shared must be type-only, so the
 * bundle stays free of zod and other dependencies.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  GanStudioApi,
  IpcEventChannel,
  IpcEventPayload,
  IpcInvokeArgs,
  IpcInvokeChannel,
  IpcInvokeResult,
  Unsubscribe,
} from '../shared/ipc';

function invoke<C extends IpcInvokeChannel>(channel: C, ...args: IpcInvokeArgs<C>): Promise<IpcInvokeResult<C>> {
  return ipcRenderer.invoke(channel, ...args) as Promise<IpcInvokeResult<C>>;
}

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

const api: GanStudioApi = {
  appInfo: () => invoke('app:info'),
  onWindowFocusChanged: (listener) => subscribe('window:focus-changed', listener),
};

contextBridge.exposeInMainWorld('ganStudio', api);
