/**
 * Following a run in the desktop app, from main to the page: the real
 * desktop studio (src/main/studio.ts) and IPC gate (src/main/ipc.ts) in main,
 * the real preload (src/preload/index.ts) in the page, and the renderer's own
 * `followRun` (lib/follow-run.ts) on the API the preload exposes. Electron
 * cannot run here, so its modules are stood in as electron/fiddle's tests do:
 * `ipcMain` is a registry of handlers, `ipcRenderer.invoke` calls them with
 * an event from our renderer's frame, and a window's `webContents.send`
 * reaches the listeners `ipcRenderer.on` holds. Everything else is real: the
 * run folder, the watcher polling it, the events, the leases.
 */
import { appendFile, cp, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IpcManager } from '../../src/main/ipc';
import type { GanStudioApi, RunFollowUpdate, RunsChanged } from '../../src/shared/contract';
import type { StudioBackend } from '../../src/studio/backend';
import { FIXTURES_DIR } from '../helpers/fixture-runs';
import { tempDir } from '../helpers/temp';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
type Listener = (event: unknown, payload: unknown) => void;
const electron = vi.hoisted(() => ({
  handlers: new Map<string, Handler>(),
  listeners: new Map<string, Set<(event: unknown, payload: unknown) => void>>(),
  exposed: new Map<string, unknown>(),
  /** The frame URL main sees for the page's calls. */
  pageUrl: '',
  /** Every event main sent to the window, as sent. */
  sent: [] as Array<{ channel: string; payload: unknown }>,
}));

vi.mock('electron', () => {
  const webContents = {
    isDestroyed: () => false,
    send(channel: string, payload: unknown) {
      electron.sent.push({ channel, payload });
      // IPC serializes: the page gets a structured clone, with an event of its own
      for (const l of electron.listeners.get(channel) ?? []) l({ sender: 'ipc event' }, structuredClone(payload));
    },
  };
  return {
    app: {
      getName: () => 'GAN Studio',
      getVersion: () => '0.0.0-test',
      getPath: () => '/nonexistent',
      isPackaged: false,
    },
    BrowserWindow: { getAllWindows: () => [{ webContents }], getFocusedWindow: () => null },
    dialog: {},
    shell: {},
    utilityProcess: {},
    ipcMain: {
      handle(channel: string, handler: Handler) {
        electron.handlers.set(channel, handler);
      },
      removeHandler(channel: string) {
        electron.handlers.delete(channel);
      },
    },
    ipcRenderer: {
      invoke(channel: string, ...args: unknown[]) {
        const handler = electron.handlers.get(channel);
        if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
        return handler({ senderFrame: { url: electron.pageUrl }, sender: {} }, ...structuredClone(args));
      },
      on(channel: string, listener: Listener) {
        if (!electron.listeners.has(channel)) electron.listeners.set(channel, new Set());
        electron.listeners.get(channel)!.add(listener);
      },
      removeListener(channel: string, listener: Listener) {
        electron.listeners.get(channel)?.delete(listener);
      },
    },
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown) {
        electron.exposed.set(key, api);
      },
    },
  };
});

const RUN = '00001-dcgan-28';
let runsRoot: string;
let api: GanStudioApi;
let backend: StudioBackend;
let ipc: IpcManager;

beforeAll(async () => {
  runsRoot = path.join(await tempDir('gan-studio-main-follow-'), 'runs');
  await mkdir(runsRoot, { recursive: true });
  await cp(path.join(FIXTURES_DIR, 'format-2', RUN), path.join(runsRoot, RUN), { recursive: true });
  vi.stubEnv('GAN_STUDIO_RUNS', runsRoot);
  const location = { kind: 'file' as const, path: path.resolve('/opt/gan-studio/out/renderer/index.html') };
  electron.pageUrl = `file://${location.path}`;
  const { IpcManager } = await import('../../src/main/ipc');
  const { createDesktopStudio } = await import('../../src/main/studio');
  const { isTrustedRendererUrl } = await import('../../src/main/renderer-location');
  // as src/main/index.ts wires them
  ipc = new IpcManager({ isTrustedSenderUrl: (url) => isTrustedRendererUrl(url, location), log: () => {} });
  backend = createDesktopStudio(ipc);
  ipc.handleAll((channel, rawArgs) => backend.invoke(channel, rawArgs));
  await import('../../src/preload/index');
  api = electron.exposed.get('ganStudio') as GanStudioApi;
});

afterAll(async () => {
  ipc?.dispose();
  await backend?.dispose();
  vi.unstubAllEnvs();
});

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('run-following events in the desktop app', () => {
  it("reach the page's followRun through the preload, payload only, and stop when it unsubscribes", async () => {
    const { followRun } = await import('../../src/renderer/src/lib/follow-run');
    const got: RunFollowUpdate[] = [];
    const unfollow = followRun(api, RUN, (u) => got.push(u));
    await until('the backend to follow the run', () => backend.watcher.followedRuns.includes(RUN));

    // the trainer (here: this test, as another process would) appends a step to stats.jsonl
    const statsFile = path.join(runsRoot, RUN, 'stats.jsonl');
    const lines = (await readFile(statsFile, 'utf8')).trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { step: number; time: number };
    const next = { ...last, step: last.step + 1, time: last.time + 1000 };
    await appendFile(statsFile, `${JSON.stringify(next)}\n`);
    const update = await until('the new step on the page', () => got.find((u) => u.stats.length > 0));
    expect(update.runId).toBe(RUN);
    expect(update.stats).toEqual([next]);
    expect(update.reset).toBe(false);
    // the listener got the payload alone, as main sent it: no IPC event, no sender
    const sent = electron.sent.find(
      (e) => e.channel === 'runs:update' && (e.payload as RunFollowUpdate).stats.length > 0,
    );
    expect(update).toEqual(sent?.payload);
    expect('sender' in update).toBe(false);
    expect(electron.listeners.get('runs:update')?.size).toBe(1);

    unfollow();
    expect(electron.listeners.get('runs:update')?.size).toBe(0);
    await until('the backend to stop following', () => !backend.watcher.followedRuns.includes(RUN));
    await appendFile(statsFile, `${JSON.stringify({ ...next, step: next.step + 1 })}\n`);
    await new Promise((r) => setTimeout(r, 1500)); // more than the watcher's interval
    expect(got.filter((u) => u.stats.length > 0)).toHaveLength(1);
  });

  it('tells the page when another process makes a run folder, so its list refreshes', async () => {
    const changes: RunsChanged[] = [];
    const off = api.onRunsChanged((c) => changes.push(c));
    await new Promise((r) => setTimeout(r, 1200)); // the runs folder as it is now has been seen
    await mkdir(path.join(runsRoot, '.00002-cli.partial'));
    await rename(path.join(runsRoot, '.00002-cli.partial'), path.join(runsRoot, '00002-cli'));
    await until('runs:changed on the page', () => changes.some((c) => c.runId === null && c.reason === 'created'));
    off();
    expect(electron.listeners.get('runs:changed')?.size).toBe(0);
  });
});
