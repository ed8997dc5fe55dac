/**
 * The typed contract between the studio backend and the renderer, assembled
 * from one operation table per domain (./app.ts, ./folders.ts, ./datasets.ts,
 * ./training.ts, ./runs.ts, ./generate.ts, ./export.ts) and the event table
 * (./events.ts). Everything else here is derived from those tables: the
 * channel list, the invoke map, the argument schemas and the `GanStudioApi`
 * type.
 *
 * Two transports carry the same contract:
 *  - Electron: the preload exposes one method per operation as
 *    `window.ganStudio`; main checks the sender and hands the raw arguments to
 *    the backend's `invoke` (src/studio/backend.ts), which validates them.
 *  - Browser mode (`gan-studio serve`): one WebSocket carrying the same
 *    channels (../ws-protocol.ts), into the same `invoke`.
 * The renderer gets a `GanStudioApi` from src/renderer/src/api and never knows
 * which transport it is on.
 *
 * To add an operation:
 *  1. in its domain file: the request schema (if it takes one) and an entry
 *     in the domain's operation table (channel → method, request, result);
 *  2. the method name in ./methods.ts (the compile fails until it matches);
 *  3. its handler in src/studio/handlers/<domain>.ts (the compile fails until
 *     every channel has one).
 * A new domain also needs its table spread into OPERATIONS below and its
 * setup function into src/studio/handlers/index.ts. An event is one entry in
 * ./events.ts's EVENTS (./methods.ts derives its method from there).
 * The preload and the WebSocket client pick the method up by themselves.
 * Keep changes additive: the renderer is coded against this.
 *
 * Imported by main, the studio backend and the server (values and types);
 * preload and renderer import only types from here (plus the zod-free
 * ./methods.ts), so zod is not bundled there. Free of Node and DOM APIs.
 *
 * Conventions:
 *  - Every invoke takes zero or one argument: a request object.
 *  - Images travel as PNG (or GIF) data URLs (`data:image/png;base64,…`); the
 *    renderer CSP allows data: images.
 *  - Runs are named by their folder name under the studio's runs root
 *    (`runId`, e.g. "00001-cats"), never by a path.
 *  - Folders the backend reads or writes outside the runs root must have been
 *    chosen by the user in this session (see ./folders.ts).
 *  - Long operations take an optional `taskId` (any string the caller makes
 *    up, e.g. crypto.randomUUID()) and report `task:progress` events with it.
 *  - Errors reject the promise with an Error whose message is one line for
 *    the user (e.g. `Invalid option "g.lr" in config: …`).
 */
import { z } from 'zod';
import { appOperations } from './app';
import { datasetsOperations } from './datasets';
import { EVENTS, type ConnectionState, type Unsubscribe } from './events';
import { exportOperations } from './export';
import { foldersOperations } from './folders';
import { generateOperations } from './generate';
import type { API_METHOD_CHANNELS } from './methods';
import type { OperationArgs, OperationParsedArgs } from './operation';
import { runsOperations } from './runs';
import { trainingOperations } from './training';

export * from './app';
export * from './datasets';
export * from './events';
export * from './export';
export * from './folders';
export * from './generate';
export * from './methods';
export * from './runs';
export * from './training';
export type { Operation, OperationTable } from './operation';

// ---------------------------------------------------------------------------
// Invoke channels (renderer -> backend, with a reply)
// ---------------------------------------------------------------------------

/** Every operation of every domain. */
export const OPERATIONS = {
  ...appOperations,
  ...foldersOperations,
  ...datasetsOperations,
  ...trainingOperations,
  ...runsOperations,
  ...generateOperations,
  ...exportOperations,
} as const;

type Operations = typeof OPERATIONS;
export type IpcInvokeChannel = keyof Operations;

export const IPC_INVOKE_CHANNELS = Object.keys(OPERATIONS) as IpcInvokeChannel[];

/** Argument tuple (as sent) and result of every invoke channel. */
export type IpcInvokeMap = {
  [C in IpcInvokeChannel]: { args: OperationArgs<Operations[C]>; result: Operations[C]['result'] };
};
export type IpcInvokeArgs<C extends IpcInvokeChannel> = IpcInvokeMap[C]['args'];
export type IpcInvokeResult<C extends IpcInvokeChannel> = IpcInvokeMap[C]['result'];
/** What a handler receives: the arguments after zod parsing (defaults filled in). */
export type IpcParsedArgs<C extends IpcInvokeChannel> = OperationParsedArgs<Operations[C]>;

/**
 * Zod schemas for the arguments of every invoke channel, as a tuple of
 * everything after the IPC event. The backend rejects a call whose arguments
 * do not parse, so a compromised renderer cannot hand the engine arbitrary
 * objects.
 */
export const IPC_INVOKE_ARG_SCHEMAS = Object.fromEntries(
  IPC_INVOKE_CHANNELS.map((channel) => {
    const request: z.ZodType | undefined = OPERATIONS[channel].request;
    return [channel, request ? z.tuple([request]) : z.tuple([])];
  }),
) as unknown as { [C in IpcInvokeChannel]: z.ZodType<IpcParsedArgs<C>, IpcInvokeArgs<C>> };

export function isIpcInvokeChannel(value: unknown): value is IpcInvokeChannel {
  return typeof value === 'string' && Object.hasOwn(OPERATIONS, value);
}

// ---------------------------------------------------------------------------
// Event channels (backend -> renderer, fire and forget)
// ---------------------------------------------------------------------------

type Events = typeof EVENTS;
export type IpcEventChannel = keyof Events;
export const IPC_EVENT_CHANNELS = Object.keys(EVENTS) as IpcEventChannel[];

/** Payload of every event channel. */
export type IpcEventMap = { [E in IpcEventChannel]: Events[E]['payload'] };
export type IpcEventPayload<E extends IpcEventChannel> = IpcEventMap[E];

export function isIpcEventChannel(value: unknown): value is IpcEventChannel {
  return typeof value === 'string' && Object.hasOwn(EVENTS, value);
}

// ---------------------------------------------------------------------------
// The API the renderer uses (`window.ganStudio` in Electron, the WebSocket client in browser mode)
// ---------------------------------------------------------------------------

export type GanStudioApi = {
  [C in IpcInvokeChannel as Operations[C]['method']]: (...args: IpcInvokeArgs<C>) => Promise<IpcInvokeResult<C>>;
} & {
  [E in IpcEventChannel as Events[E]['method']]: (listener: (payload: IpcEventMap[E]) => void) => Unsubscribe;
} & {
  /** The link to the backend (browser mode reconnects on its own); called at once with the current state. */
  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe;
};

// Compile-time check that ./methods.ts names the same method for every channel as the tables.
type TableMethods = { [C in IpcInvokeChannel as Operations[C]['method']]: C };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const methodsMatchTables: Same<TableMethods, typeof API_METHOD_CHANNELS> = true;
void methodsMatchTables;
