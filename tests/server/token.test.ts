/** The serve token kept across restarts, and what a refused page or client is told. */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StudioSocket } from '../../src/renderer/src/api/ws-client';
import type { ConnectionState } from '../../src/shared/contract';
import { startStudioServer, type StudioServer } from '../../src/server';
import { loadServeToken, userConfigDir } from '../../src/server/token';
import { tempDir } from '../helpers/temp';
import { TEST_APP_INFO } from '../studio/helpers';

describe('the saved token', () => {
  it('is made once, readable by this user only, and the same on the next start', async () => {
    const file = path.join(await tempDir('gan-studio-config-'), 'nested', 'serve-token');
    const first = await loadServeToken({ file });
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[\w-]{32}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await loadServeToken({ file });
    expect(again).toEqual({ token: first.token, file, created: false });
    const rotated = await loadServeToken({ file, rotate: true });
    expect(rotated.token).not.toBe(first.token);
    expect((await readFile(file, 'utf8')).trim()).toBe(rotated.token);
  });

  it('replaces a file that holds no token, and tightens a loosened mode', async () => {
    const dir = await tempDir('gan-studio-config-');
    const file = path.join(dir, 'serve-token');
    await writeFile(file, 'short\n');
    const made = await loadServeToken({ file });
    expect(made.created).toBe(true);
    await chmod(file, 0o644);
    expect((await loadServeToken({ file })).token).toBe(made.token);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('lives in the user config folder', () => {
    expect(userConfigDir({ GAN_STUDIO_CONFIG: '/tmp/x' }, 'linux')).toBe(path.resolve('/tmp/x'));
    expect(userConfigDir({ XDG_CONFIG_HOME: '/home/u/.cfg' }, 'linux')).toBe('/home/u/.cfg/gan-studio');
    expect(userConfigDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toContain('gan-studio');
  });
});

describe('a refused page', () => {
  let server: StudioServer;

  beforeAll(async () => {
    const root = await tempDir('gan-studio-refused-');
    const rendererDir = path.join(root, 'renderer');
    await mkdir(rendererDir, { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>GAN Studio</title>');
    server = await startStudioServer({
      runsRoot: path.join(root, 'runs'),
      rendererDir,
      appInfo: TEST_APP_INFO,
      token: 'the-current-token-0123456789abcdef',
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('gets a page that says why and how to get back in, not a bare 401', async () => {
    for (const query of ['', '?token=an-old-token-from-a-bookmark-000000']) {
      const res = await fetch(`${server.origin}/${query}`, { headers: { accept: 'text/html,application/xhtml+xml' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).toContain('GAN Studio needs its access token');
      expect(html).toContain('?token=');
      expect(html).toContain(query ? '--new-token' : 'has no access token');
      expect(html).not.toContain(server.token);
    }
    // Assets and scripts still get the short text.
    const asset = await fetch(`${server.origin}/assets/app.js`, { headers: { accept: 'text/html' } });
    expect(asset.status).toBe(401);
    expect(asset.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('lets the page ask whether its token is still good', async () => {
    expect((await fetch(`${server.origin}/api/auth?token=${server.token}`)).status).toBe(204);
    expect((await fetch(`${server.origin}/api/auth?token=old`)).status).toBe(401);
  });

  it("stops the page's reconnect loop and says why when the token is refused", async () => {
    const states: ConnectionState[] = [];
    const socket = new StudioSocket({
      url: `ws://127.0.0.1:${server.port}/api/ws?token=an-old-token-from-a-bookmark-000000`,
      WebSocketImpl: class extends WebSocket {
        constructor(url: string) {
          super(url, { origin: server.origin });
        }
      } as unknown as typeof globalThis.WebSocket,
    });
    socket.onConnectionChange((s) => states.push(s));
    try {
      await expect.poll(() => states.at(-1)?.refused, { timeout: 10_000 }).toBe(true);
      const last = states.at(-1)!;
      expect(last.connected).toBe(false);
      expect(last.error).toMatch(/refused this page’s access token .*--new-token/);
      const count = states.length;
      await new Promise((r) => setTimeout(r, 1500)); // longer than the first reconnect delays
      expect(states.length).toBe(count);
    } finally {
      socket.close();
    }
  });

  it('keeps reconnecting while the server is only down', async () => {
    const states: ConnectionState[] = [];
    const socket = new StudioSocket({
      url: 'ws://127.0.0.1:9/api/ws?token=x', // nothing listens on the discard port
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    socket.onConnectionChange((s) => states.push(s));
    try {
      await expect.poll(() => states.at(-1)?.attempt ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(states.some((s) => s.refused)).toBe(false);
    } finally {
      socket.close();
    }
  });
});
