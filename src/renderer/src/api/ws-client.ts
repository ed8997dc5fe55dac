/**
 * The studio API over a WebSocket (browser mode, `gan-studio serve`): the same
 * `GanStudioApi` the preload gives the desktop app, carried by the messages of
 * src/shared/ws-protocol.ts.
 *
 * - Calls made while the link is down wait for it (up to `callTimeoutMs`).
 * - The link reconnects on its own with backoff; calls in flight when it drops
 *   reject (the backend may or may not have run them).
 * - Event listeners survive reconnects.
 */
import { API_EVENT_METHODS, API_METHOD_CHANNELS } from '@shared/contract/methods';
import type { ConnectionState, GanStudioApi, IpcEventChannel, IpcInvokeChannel, Unsubscribe } from '@shared/contract';
import { AUTH_PATH, TOKEN_PARAM, WS_PATH, type WsClientMessage, type WsServerMessage } from '@shared/ws-protocol';

export interface WsClientOptions {
  /** ws:// or wss:// URL of the endpoint, token included. */
  url: string;
  /** Reject a call that has no answer after this long (default 10 minutes: exports and batches can be long). */
  callTimeoutMs?: number;
  /** Give up waiting for a connection for a call after this long (default 30 s). */
  connectTimeoutMs?: number;
  /** WebSocket constructor (tests). */
  WebSocketImpl?: typeof WebSocket;
  /** Ask AUTH_PATH whether a refused connection is a refused token (default true). */
  probeAuth?: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class StudioSocket {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<IpcEventChannel, Set<(payload: unknown) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState = { connected: false, attempt: 0, error: null };
  private waiters: Array<() => void> = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly WS: typeof WebSocket;

  constructor(private readonly options: WsClientOptions) {
    this.WS = options.WebSocketImpl ?? WebSocket;
    this.connect();
  }

  get connection(): ConnectionState {
    return this.state;
  }

  invoke(channel: IpcInvokeChannel, args: unknown[]): Promise<unknown> {
    return this.whenConnected().then(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const id = this.nextId++;
          const timer = setTimeout(() => {
            this.pending.delete(id);
            reject(new Error(`"${channel}" got no answer from GAN Studio`));
          }, this.options.callTimeoutMs ?? 600_000);
          this.pending.set(id, { resolve, reject, timer });
          const message: WsClientMessage = { type: 'invoke', id, channel, args };
          try {
            this.ws!.send(JSON.stringify(message));
          } catch (e) {
            clearTimeout(timer);
            this.pending.delete(id);
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }),
    );
  }

  on(channel: IpcEventChannel, listener: (payload: unknown) => void): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe {
    this.stateListeners.add(listener);
    queueMicrotask(() => {
      if (this.stateListeners.has(listener)) listener(this.state);
    });
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.ws?.close();
    this.failPending('the connection was closed');
  }

  private whenConnected(): Promise<void> {
    if (this.state.connected) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error('the connection was closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`Cannot reach GAN Studio${this.state.error ? `: ${this.state.error}` : ''}`));
      }, this.options.connectTimeoutMs ?? 30_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  private setState(next: ConnectionState): void {
    this.state = next;
    for (const l of this.stateListeners) l(next);
    if (next.connected) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    }
  }

  private connect(): void {
    if (this.closed) return;
    let ws: WebSocket;
    try {
      ws = new this.WS(this.options.url);
    } catch (e) {
      this.scheduleReconnect(e instanceof Error ? e.message : String(e));
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onmessage = (ev: { data: unknown }) => {
      let msg: WsServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'hello') {
        opened = true;
        this.setState({ connected: true, attempt: 0, error: null });
      } else if (msg.type === 'result') {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else {
          const error = new Error(msg.error.message);
          error.name = msg.error.name;
          p.reject(error);
        }
      } else if (msg.type === 'event') {
        for (const l of this.listeners.get(msg.event) ?? []) {
          try {
            l(msg.payload);
          } catch (e) {
            console.error(e);
          }
        }
      }
    };
    ws.onclose = (ev: { code: number }) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.failPending('the connection to GAN Studio was lost');
      const why =
        ev.code === 1008 || ev.code === 4401
          ? 'access denied (is the token in the page address right?)'
          : opened
            ? 'connection lost'
            : 'cannot connect';
      if (opened) return this.scheduleReconnect(why);
      // Refused before the hello: a server that is down, or one that no
      // longer takes our token. Only the second is hopeless, so ask.
      void this.tokenRefused().then((refused) => {
        if (!refused) return this.scheduleReconnect(why);
        this.setState({
          connected: false,
          attempt: this.state.attempt + 1,
          error:
            'GAN Studio refused this page’s access token (the server was started with --new-token since, or the address is wrong)',
          refused: true,
        });
      });
    };
    ws.onerror = () => {
      // onclose follows and does the work.
    };
  }

  /** True when the server answers that the token in our URL is not its token (false when it cannot be reached). */
  private async tokenRefused(): Promise<boolean> {
    if (this.options.probeAuth === false || typeof fetch !== 'function') return false;
    try {
      const url = new URL(this.options.url);
      url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
      url.pathname = AUTH_PATH;
      const res = await fetch(url.href, { cache: 'no-store', credentials: 'omit' });
      return res.status === 401;
    } catch {
      return false;
    }
  }

  private scheduleReconnect(error: string): void {
    if (this.closed) return;
    const attempt = this.state.attempt + 1;
    this.setState({ connected: false, attempt, error });
    const delay = Math.min(5000, 250 * 2 ** Math.min(attempt - 1, 5));
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private failPending(reason: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
      this.pending.delete(id);
    }
  }
}

/** The endpoint for a page served by `gan-studio serve` (token taken from the page URL). */
export function socketUrlForPage(location: { search: string; protocol: string; host: string }): string {
  const token = new URLSearchParams(location.search).get(TOKEN_PARAM) ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`;
}

/** A GanStudioApi over a StudioSocket. */
export function createSocketApi(socket: StudioSocket): GanStudioApi {
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(API_METHOD_CHANNELS)) {
    api[method] = (request?: unknown) => socket.invoke(channel, request === undefined ? [] : [request]);
  }
  for (const [method, channel] of Object.entries(API_EVENT_METHODS)) {
    api[method] = (listener: (payload: unknown) => void) => socket.on(channel, listener);
  }
  api.onConnectionChange = (listener: (state: ConnectionState) => void) => socket.onConnectionChange(listener);
  return api as unknown as GanStudioApi;
}
