/**
 * Browser mode (`gan-studio serve`): the IPC contract of ./contract carried over
 * one WebSocket as JSON text messages. The server validates every invoke with
 * the same zod schemas as Electron main (IPC_INVOKE_ARG_SCHEMAS).
 *
 *   client → server  { type: 'invoke', id, channel, args }
 *   server → client  { type: 'result', id, ok: true, result }
 *                    { type: 'result', id, ok: false, error: { name, message } }
 *                    { type: 'event', event, payload }
 *                    { type: 'hello', protocol }          (first message after connecting)
 *
 * The WebSocket lives at WS_PATH on the page's own origin and needs the same
 * `token` query parameter as the page (see src/server).
 */
import type { IpcEventChannel, IpcEventMap, IpcInvokeChannel } from './contract';

export const WS_PATH = '/api/ws';
/**
 * Answers 204 with a good token and 401 without: the page asks it when its
 * WebSocket is refused, to tell "server down" from "token no longer valid".
 */
export const AUTH_PATH = '/api/auth';
/**
 * Browser mode's downloads: `${DOWNLOAD_PATH}/<id>/<file name>` streams an
 * output the studio wrote (a folder as a zip). The id is one the studio
 * issued for that output; the URL carries no path.
 */
export const DOWNLOAD_PATH = '/api/download';
export const WS_PROTOCOL_VERSION = 1;
/** Query parameter (page URL and WebSocket URL) that carries the access token. */
export const TOKEN_PARAM = 'token';

export interface WsInvoke {
  type: 'invoke';
  /** Chosen by the client, echoed in the result. */
  id: number;
  channel: IpcInvokeChannel;
  args: unknown[];
}

export type WsClientMessage = WsInvoke;

export interface WsResultOk {
  type: 'result';
  id: number;
  ok: true;
  result: unknown;
}

export interface WsResultError {
  type: 'result';
  id: number;
  ok: false;
  error: { name: string; message: string };
}

export type WsEvent = {
  [E in IpcEventChannel]: { type: 'event'; event: E; payload: IpcEventMap[E] };
}[IpcEventChannel];

export interface WsHello {
  type: 'hello';
  protocol: number;
}

export type WsServerMessage = WsResultOk | WsResultError | WsEvent | WsHello;
