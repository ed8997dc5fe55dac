/**
 * Browser mode: the studio over HTTP + one WebSocket (`gan-studio serve`).
 *
 * - Serves the built renderer (out/renderer) and runs the IPC contract of
 *   the contract of src/shared/contract over WS_PATH with the messages of src/shared/ws-protocol.ts,
 *   validated by StudioBackend.invoke with the same zod schemas as Electron main.
 * - Binds 127.0.0.1 by default. Every request needs the random token: the
 *   page URL carries it (?token=…); loading the page with it sets a
 *   same-site, HttpOnly cookie so the page's assets load too; the WebSocket
 *   needs it in its URL. A wrong Host header (DNS rebinding) or a foreign
 *   Origin is refused, so other local pages cannot drive the studio.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { buildContentSecurityPolicy } from '../shared/csp';
import type { AppInfo } from '../shared/contract';
import {
  AUTH_PATH,
  DOWNLOAD_PATH,
  TOKEN_PARAM,
  WS_PATH,
  WS_PROTOCOL_VERSION,
  type WsServerMessage,
} from '../shared/ws-protocol';
import { StudioBackend } from '../studio/backend';
import { serializeError } from '../studio/datasets-common';
import { forkLauncher, type WorkerLauncher } from '../studio/workers/worker-process';
import { sendDownload } from './download';
import { sendFile, staticFile } from './static';

export interface StudioServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Default 0. */
  port?: number;
  runsRoot: string;
  /** Folder of the built renderer (index.html + assets/). */
  rendererDir: string;
  /** Fixed token (tests); default: 24 random bytes. */
  token?: string;
  launcher?: WorkerLauncher;
  workerEnv?: Record<string, string>;
  appInfo?: AppInfo;
  /** Where request errors go. Default: console.error. */
  log?: (line: string) => void;
  /** Keeps the download links across restarts (serve: next to the token); none: they end with the process. */
  downloadsFile?: string;
}

export interface StudioServer {
  /** The URL to open, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  backend: StudioBackend;
  /** Closes every WebSocket from the server side (tests: what a dropped link looks like). */
  dropClients(): void;
  close(): Promise<void>;
}

/** Largest WebSocket message accepted from a client (a latents JSON can be big). */
const MAX_CLIENT_MESSAGE = 64 * 1024 * 1024;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** A page load by a person (not an asset, a script's fetch or the WebSocket). */
function wantsHtml(req: IncomingMessage, pathname: string): boolean {
  if (pathname.startsWith('/assets/') || pathname.startsWith('/api/')) return false;
  return (req.headers.accept ?? '').includes('text/html');
}

/** The page shown instead of the studio when the address has no token or an old one. Plain HTML: the CSP allows no inline style or script. */
function refusedHtml(hadToken: boolean): string {
  const what = hadToken
    ? 'This address has an access token that GAN Studio no longer accepts: the server was started with <code>--new-token</code> since, or the address was mistyped.'
    : 'This address has no access token. GAN Studio only answers pages opened with its token, so that other pages and programs on this computer cannot use it.';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>GAN Studio: access token needed</title></head>
<body>
<h1>GAN Studio needs its access token</h1>
<p>${what}</p>
<p>To get back in:</p>
<ol>
<li>In the terminal where GAN Studio runs, find the address <code>gan-studio serve</code> printed. It ends in <code>?token=…</code>.</li>
<li>Open that address (or bookmark it: it stays the same across restarts, because the token is kept in your config folder).</li>
<li>Not running? Start it with <code>npx gan-studio serve</code> in the project folder.</li>
</ol>
</body>
</html>
`;
}

/** A client message as JSON, or null when it is not a JSON object. */
function parseMessage(text: string): { type?: unknown; id?: unknown; channel?: unknown; args?: unknown } | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const isLoopback = (host: string): boolean =>
  host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';

export async function startStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? ((line: string) => console.error(line));
  const appInfo: AppInfo = options.appInfo ?? {
    name: 'GAN Studio',
    version: '0.0.0',
    versions: { node: process.versions.node, electron: '', chrome: '', v8: process.versions.v8 },
    platform: process.platform,
    arch: process.arch,
    packaged: false,
  };
  const backend = new StudioBackend({
    runsRoot: options.runsRoot,
    workerEnv: options.workerEnv,
    downloadsFile: options.downloadsFile,
    host: { mode: 'browser', appInfo: () => appInfo, launcher: options.launcher ?? forkLauncher },
  });

  const csp = buildContentSecurityPolicy({ dev: false });
  const securityHeaders = {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };

  let port = 0;
  let cookieName = '';
  /** Host header values that name this server. */
  const allowedHosts = (): Set<string> => {
    const names = new Set([`${host}:${port}`]);
    if (isLoopback(host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) names.add(`${h}:${port}`);
    return names;
  };
  const hostOk = (req: IncomingMessage): boolean => {
    // Bound to all interfaces: any Host (the token still guards everything).
    if (host === '0.0.0.0' || host === '::') return true;
    return allowedHosts().has((req.headers.host ?? '').toLowerCase());
  };
  const originOk = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return origin === `http://${req.headers.host ?? ''}`;
  };
  const tokenOf = (req: IncomingMessage): { query: string | null; cookie: string | null } => {
    const url = new URL(req.url ?? '/', 'http://x');
    return {
      query: url.searchParams.get(TOKEN_PARAM),
      cookie: parseCookies(req.headers.cookie).get(cookieName) ?? null,
    };
  };

  const deny = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, {
      ...securityHeaders,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(`${text}\n`);
  };

  const refusedPage = (res: ServerResponse, hadToken: boolean): void => {
    res.writeHead(401, { ...securityHeaders, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(refusedHtml(hadToken));
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.');
      if (!hostOk(req)) return deny(res, 403, 'Wrong host.');
      if (!originOk(req)) return deny(res, 403, 'Cross-origin requests are not allowed.');
      const url = new URL(req.url ?? '/', 'http://x');
      const t = tokenOf(req);
      const viaQuery = t.query !== null && safeEqual(t.query, token);
      const viaCookie = t.cookie !== null && safeEqual(t.cookie, token);
      if (!viaQuery && !viaCookie) {
        // A person loading the page gets a page that says what happened and
        // how to get back in; scripts and assets get the short text.
        if (wantsHtml(req, url.pathname)) return refusedPage(res, t.query !== null);
        return deny(
          res,
          401,
          'GAN Studio needs its access token: open the address that `gan-studio serve` printed (it ends in ?token=…).',
        );
      }
      // The page asks here whether its token is still good when its WebSocket is refused.
      if (url.pathname === AUTH_PATH) {
        res.writeHead(204, { ...securityHeaders, 'cache-control': 'no-store' });
        return res.end();
      }
      if (url.pathname === WS_PATH) return deny(res, 426, 'Upgrade to a WebSocket.');
      // Outputs the studio wrote, by the id it issued for each (no path in the URL).
      if (url.pathname.startsWith(`${DOWNLOAD_PATH}/`)) {
        const entry = backend.downloads.get(url.pathname.slice(DOWNLOAD_PATH.length + 1).split('/')[0]);
        if (entry && (await sendDownload(res, entry, securityHeaders, req.method === 'HEAD'))) return;
        return deny(
          res,
          404,
          'Nothing to download here: the file was moved or deleted, or the link is older than the last 1,000 downloads.',
        );
      }
      const file = staticFile(options.rendererDir, url.pathname);
      const headers: Record<string, string> = { ...securityHeaders };
      if (viaQuery) headers['set-cookie'] = `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
      if (file && (await sendFile(res, file, headers, req.headers['accept-encoding']))) return;
      // Unknown paths get the app (client-side routes), never a directory listing.
      const index = staticFile(options.rendererDir, '/')!;
      if (!url.pathname.startsWith('/assets/') && (await sendFile(res, index, headers, req.headers['accept-encoding'])))
        return;
      deny(res, 404, 'Not found.');
    })().catch((e: unknown) => {
      log(`[serve] ${serializeError(e).message}`);
      if (!res.headersSent) deny(res, 500, 'Internal error.');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    if (!hostOk(req)) return refuse(403, 'Forbidden');
    // Browsers always send Origin on WebSocket handshakes: it must be this server's page.
    if (!req.headers.origin || !originOk(req)) return refuse(403, 'Forbidden');
    const t = tokenOf(req);
    if (t.query === null || !safeEqual(t.query, token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const sendTo = (ws: WebSocket, message: WsServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    // A bad message never drops the link (the page would lose every call in
    // flight): one that names an id gets an error result for it, anything
    // else is logged and ignored.
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? null : parseMessage(String(data));
      const id = msg && typeof msg.id === 'number' && Number.isSafeInteger(msg.id) ? msg.id : null;
      if (!msg || id === null) {
        log(`[serve] ignored a WebSocket message that is not an invoke with an id (${isBinary ? 'binary' : 'text'})`);
        return;
      }
      if (msg.type !== 'invoke') {
        sendTo(ws, {
          type: 'result',
          id,
          ok: false,
          error: {
            name: 'StudioRejectedError',
            message: `Not an invoke message (type ${JSON.stringify(msg.type) ?? 'missing'}).`,
          },
        });
        return;
      }
      backend.invoke(msg.channel, msg.args).then(
        (result) => sendTo(ws, { type: 'result', id, ok: true, result: result === undefined ? null : result }),
        (e: unknown) => sendTo(ws, { type: 'result', id, ok: false, error: serializeError(e) }),
      );
    });
    sendTo(ws, { type: 'hello', protocol: WS_PROTOCOL_VERSION });
  });

  const unsubscribe = backend.on((event, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ type: 'event', event, payload });
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  cookieName = `gan_studio_${port}`;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;

  return {
    url: `${origin}/?${TOKEN_PARAM}=${token}`,
    origin,
    port,
    token,
    backend,
    dropClients() {
      for (const ws of clients) ws.terminate();
    },
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await backend.dispose();
    },
  };
}
