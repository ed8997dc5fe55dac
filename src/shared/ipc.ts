/**
 * The typed contract between the Electron main process and the renderer.
 *
 * Every operation the renderer may ask for is an "invoke" channel: it appears in
 * `IPC_INVOKE_CHANNELS`, has an entry in `IpcInvokeMap` (argument tuple and
 * result) and a zod schema in `IPC_INVOKE_ARG_SCHEMAS` that main uses to
 * validate what arrives (the renderer is untrusted). Every push from main to
 * the renderer is an "event" channel with a payload type in `IpcEventMap`.
 *
 * The preload script exposes one method per operation as `window.ganStudio`
 * (`GanStudioApi`); the renderer never sees `ipcRenderer` itself.
 *
 * To add an operation: add the channel name, its map entry, its schema, a
 * method on `GanStudioApi`, the preload method and the main handler. The types
 * below make each of those a compile error until it is done.
 *
 * This module is imported by main (values and types), preload and renderer
 * (types only, so zod is not bundled there). Keep it free of Node and DOM APIs.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------
// Invoke channels (renderer -> main, with a reply)
// ---------------------------------------------------------------------------

export const IPC_INVOKE_CHANNELS = ['app:info'] as const;
export type IpcInvokeChannel = (typeof IPC_INVOKE_CHANNELS)[number];

/** What `app:info` answers: enough to show in an About box or a bug report. */
export interface AppInfo {
  /** Product name, e.g. "GAN Studio". */
  name: string;
  /** The app's own version (package.json). */
  version: string;
  versions: {
    node: string;
    electron: string;
    chrome: string;
    v8: string;
  };
  platform: string;
  arch: string;
  /** True when running from a packaged build rather than `npm start`. */
  packaged: boolean;
}

/** Argument tuple and result of every invoke channel. */
export interface IpcInvokeMap {
  'app:info': { args: []; result: AppInfo };
}

/**
 * Zod schemas for the arguments of every invoke channel, as a tuple of
 * everything after the IPC event. Main rejects a call whose arguments do not
 * parse, so a compromised renderer cannot hand the engine arbitrary objects.
 */
export const IPC_INVOKE_ARG_SCHEMAS = {
  'app:info': z.tuple([]),
} as const satisfies { [C in IpcInvokeChannel]: z.ZodType<IpcInvokeMap[C]['args']> };

export type IpcInvokeArgs<C extends IpcInvokeChannel> = IpcInvokeMap[C]['args'];
export type IpcInvokeResult<C extends IpcInvokeChannel> = IpcInvokeMap[C]['result'];

// ---------------------------------------------------------------------------
// Event channels (main -> renderer, fire and forget)
// ---------------------------------------------------------------------------

export const IPC_EVENT_CHANNELS = ['window:focus-changed'] as const;
export type IpcEventChannel = (typeof IPC_EVENT_CHANNELS)[number];

/** Payload of every event channel. */
export interface IpcEventMap {
  'window:focus-changed': { focused: boolean };
}

export type IpcEventPayload<E extends IpcEventChannel> = IpcEventMap[E];

// ---------------------------------------------------------------------------
// The API the preload script exposes as `window.ganStudio`
// ---------------------------------------------------------------------------

/** Removes the listener it was returned for. Safe to call more than once. */
export type Unsubscribe = () => void;

export interface GanStudioApi {
  /** Versions and platform of the running app. */
  appInfo(): Promise<AppInfo>;
  /** Called when the app window gains or loses focus. */
  onWindowFocusChanged(listener: (payload: IpcEventMap['window:focus-changed']) => void): Unsubscribe;
}

export function isIpcInvokeChannel(value: unknown): value is IpcInvokeChannel {
  return typeof value === 'string' && (IPC_INVOKE_CHANNELS as readonly string[]).includes(value);
}
