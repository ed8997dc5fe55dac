/**
 * `gan-studio serve`'s server: the token on the page, the assets and the
 * WebSocket; Host and Origin checks; the contract over the socket with the
 * same validation; and the renderer's WebSocket client (reconnects included).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSocketApi, StudioSocket } from '../../src/renderer/src/api/ws-client';
import type { ConnectionState, RunsChanged } from '../../src/shared/contract';
import { startStudioServer, type StudioServer } from '../../src/server';
import { tempDir } from '../helpers/temp';
import { TEST_APP_INFO } from '../studio/helpers';

let server: StudioServer;
let rendererDir: string;

beforeAll(async () => {
  const root = await tempDir('gan-studio-serve-');
  rendererDir = path.join(root, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>GAN Studio</title><script type="module" src="./assets/app.js"></script>',
  );
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("hi")');
  await writeFile(path.join(root, 'secret.txt'), 'secret');
  server = await startStudioServer({
    runsRoot: path.join(root, 'runs'),
    rendererDir,
    appInfo: TEST_APP_INFO,
    workerEnv: { GAN_STUDIO_CACHE: path.join(root, 'cache') },
  });
});

afterAll(async () => {
  await server?.close();
});

/** A GET with any headers (fetch will not send a forged Host). */
function rawGet(p: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: p, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

const get = (p: string, headers: Record<string, string> = {}) =>
  fetch(`${server.origin}${p}`, { headers, redirect: 'manual' });

describe('HTTP', () => {
  it('binds loopback and prints a URL with a token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('refuses the page and the assets without the token', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get(`/assets/app.js?token=${server.token}x`)).status).toBe(401);
  });

  it('serves the page with the token, then the assets with the cookie it sets', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GAN Studio');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const cookie = page.headers.get('set-cookie')!.split(';')[0];
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await get('/assets/app.js', { cookie });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    // Client-side routes get the app; missing assets do not.
    expect((await get('/runs/00001-x', { cookie })).status).toBe(200);
    expect((await get('/assets/missing.js', { cookie })).status).toBe(404);
    // Nothing outside the renderer folder.
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await get(p, { cookie });
      expect(await res.text()).not.toContain('secret');
    }
  });

  it('rejects a foreign Origin, a foreign Host and other methods', async () => {
    expect(await rawGet(`/?token=${server.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await rawGet(`/?token=${server.token}`, { host: 'evil.example' })).toBe(403);
    expect(await rawGet(`/?token=${server.token}`, { host: `localhost:${server.port}` })).toBe(200);
    expect((await fetch(`${server.origin}/?token=${server.token}`, { method: 'POST' })).status).toBe(405);
  });
});

function rawSocket(query: string, origin: string | null): Promise<{ ws: WebSocket; status: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws${query}`, origin ? { origin } : {});
    ws.on('open', () => resolve({ ws, status: null }));
    ws.on('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ ws, status: -1 }));
  });
}

describe('WebSocket', () => {
  it('refuses a socket without the token, with a wrong one, or from another origin', async () => {
    expect((await rawSocket('', server.origin)).status).toBe(401);
    expect((await rawSocket('?token=nope', server.origin)).status).toBe(401);
    expect((await rawSocket(`?token=${server.token}`, 'http://evil.example')).status).toBe(403);
    expect((await rawSocket(`?token=${server.token}`, null)).status).toBe(403);
    const ok = await rawSocket(`?token=${server.token}`, server.origin);
    expect(ok.status).toBeNull();
    ok.ws.close();
  });

  it('answers invokes, validates them like Electron main, and survives garbage', async () => {
    const { ws } = await rawSocket(`?token=${server.token}`, server.origin);
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(String(d))));
    const next = (id: number) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const t = setInterval(() => {
          const r = replies.find((x) => (x as { id?: number }).id === id);
          if (r) {
            clearInterval(t);
            resolve(r as Record<string, unknown>);
          }
        }, 10);
      });
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'studio:info', args: [] }));
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'runs:get', args: [{ runId: '../../etc' }] }));
    ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'no:such', args: [] }));
    ws.send(
      JSON.stringify({
        type: 'invoke',
        id: 4,
        channel: 'datasets:import',
        args: [
          { dir: '/etc', options: { resolution: 28, channels: 1, resize: 'crop', background: '#ffffff', minSize: 8 } },
        ],
      }),
    );
    const r1 = await next(1);
    expect(r1).toMatchObject({ ok: true, result: { mode: 'browser', nativeDialogs: false } });
    expect(await next(2)).toMatchObject({
      ok: false,
      error: { name: 'StudioRejectedError', message: expect.stringMatching(/runId: not a run id/) },
    });
    expect(await next(3)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Unknown operation/) } });
    expect(await next(4)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/only use folders you chose/) },
    });
    // Garbage no longer drops the link (issue 12): the next invoke is answered.
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'invoke', id: 5, channel: 'studio:info', args: [] }));
    expect(await next(5)).toMatchObject({ ok: true });
    ws.close();
  });

  it('the renderer client: same API, events, and reconnects after the link drops', async () => {
    const socket = new StudioSocket({
      url: `ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`,
      // Node's ws needs the Origin a browser would send.
      WebSocketImpl: class extends WebSocket {
        constructor(url: string) {
          super(url, { origin: server.origin });
        }
      } as unknown as typeof globalThis.WebSocket,
    });
    const api = createSocketApi(socket);
    const states: ConnectionState[] = [];
    api.onConnectionChange((st) => states.push(st));
    expect((await api.appInfo()).version).toBe('test');
    const schema = await api.configSchema();
    expect(schema.presets.length).toBeGreaterThan(0);
    await expect(api.getRun({ runId: 'bad' })).rejects.toThrow(/not a run id/);

    const events: RunsChanged[] = [];
    const off = api.onRunsChanged((e) => events.push(e));
    server.backend.emit('runs:changed', { runId: null, reason: 'updated' });
    await expect.poll(() => events.length).toBe(1);

    // Drop every connection: the client reconnects by itself and calls work again.
    const before = states.length;
    server.dropClients();
    await expect.poll(() => states.slice(before).some((st) => !st.connected), { timeout: 5000 }).toBe(true);
    expect((await api.studioInfo()).mode).toBe('browser');
    expect(states[states.length - 1].connected).toBe(true);
    server.backend.emit('runs:changed', { runId: null, reason: 'deleted' });
    await expect.poll(() => events.length).toBe(2);
    off();
    socket.close();
  });
});
