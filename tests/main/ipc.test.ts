/**
 * Electron main's IPC gate (src/main/ipc.ts) with the real studio backend
 * behind it. The Electron binary cannot run here, so `ipcMain` is stood in
 * (as electron/fiddle's tests do): a registry of the handlers main installs,
 * which the test calls with invoke events shaped like Electron's. Everything
 * behind the gate is real: StudioBackend.invoke validates, handlers run.
 */
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
const handlers = vi.hoisted(() => new Map<string, Handler>());

vi.mock('electron', () => ({
  ipcMain: {
    handle(channel: string, handler: Handler) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, handler);
    },
    removeHandler(channel: string) {
      handlers.delete(channel);
    },
  },
}));

const { IpcManager, IpcRejectedError } = await import('../../src/main/ipc');
const { isTrustedRendererUrl } = await import('../../src/main/renderer-location');
const { IPC_INVOKE_CHANNELS } = await import('../../src/shared/contract');
const { StudioError, StudioRejectedError } = await import('../../src/studio/errors');
const { makeStudio } = await import('../studio/helpers');

const location = { kind: 'file' as const, path: path.resolve('/opt/gan-studio/out/renderer/index.html') };
const OUR_URL = `file://${location.path}`;

/** An invoke event as Electron builds it: the frame that sent it (null once it navigated away or closed). */
function eventFrom(url: string | null): unknown {
  return { senderFrame: url === null ? null : { url }, sender: {} };
}

function call(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
  const handler = handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(event, ...args);
}

describe('main IPC gate', () => {
  let studio: Awaited<ReturnType<typeof makeStudio>>;
  let ipc: InstanceType<typeof IpcManager>;
  const logged: string[] = [];
  const seen: Array<{ channel: string; rawArgs: unknown[] }> = [];

  beforeAll(async () => {
    studio = await makeStudio('electron');
    ipc = new IpcManager({
      isTrustedSenderUrl: (url) => isTrustedRendererUrl(url, location),
      log: (m) => logged.push(m),
    });
    ipc.handleAll((channel, rawArgs) => {
      seen.push({ channel, rawArgs });
      return studio.backend.invoke(channel, rawArgs);
    });
  });

  afterAll(async () => {
    ipc.dispose();
    await studio.backend.dispose();
  });

  beforeEach(() => {
    logged.length = 0;
    seen.length = 0;
  });

  it('registers every channel of the contract once, and dispose removes them', () => {
    expect([...handlers.keys()].sort()).toEqual([...IPC_INVOKE_CHANNELS].sort());
    const other = new IpcManager({ isTrustedSenderUrl: () => true, log: () => {} });
    expect(() => other.handleAll(async () => null)).toThrow(/second handler/);
  });

  it('answers our renderer through the backend', async () => {
    expect(await call('runs:list', eventFrom(OUR_URL))).toEqual([]);
    const info = (await call('studio:info', eventFrom(`${OUR_URL}?x=1#/train`))) as { mode: string; runsRoot: string };
    expect(info.mode).toBe('electron');
    expect(info.runsRoot).toBe(studio.backend.runsRoot);
  });

  it.each([
    ['another file', 'file:///tmp/evil/index.html'],
    ['a web page', 'https://example.com/'],
    ['about:blank', 'about:blank'],
    ['a frame that is gone', null],
  ])('refuses %s before anything runs', async (_what, url) => {
    await expect(call('runs:delete', eventFrom(url), { runId: '00001-run' })).rejects.toBeInstanceOf(IpcRejectedError);
    expect(seen).toEqual([]);
    expect(logged.join('\n')).toMatch(/rejected "runs:delete" from untrusted sender/);
  });

  it('rejects bad arguments in the backend, the one place they are validated', async () => {
    const bad = [
      ['runs:get', [{ runId: '../../etc' }], /Invalid arguments for "runs:get": runId: not a run id/],
      ['runs:get', [], /Invalid arguments for "runs:get"/],
      ['runs:list', [{ extra: true }], /Invalid arguments for "runs:list"/],
      [
        'generate:images',
        [{ checkpoint: { runId: '00001-run' }, seeds: [1], hack: 1 }],
        /Invalid arguments for "generate:images"/,
      ],
    ] as const;
    for (const [channel, args, message] of bad) {
      const error = await call(channel, eventFrom(OUR_URL), ...args).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StudioRejectedError);
      expect((error as Error).message).toMatch(message);
    }
    // The raw arguments reached the backend untouched: main itself parses nothing.
    expect(seen.map((s) => s.rawArgs)).toEqual(bad.map(([, args]) => [...args]));
  });

  it("passes a handler's error on as it is, and logs it", async () => {
    const error = await call('runs:get', eventFrom(OUR_URL), { runId: '00042-missing' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StudioError);
    expect((error as Error).message).toBe('Run 00042-missing not found.');
    expect(logged.join('\n')).toMatch(/"runs:get" failed: StudioError: Run 00042-missing not found\./);
  });

  it('refuses the folder browser in the desktop app', async () => {
    await expect(call('fs:list-dir', eventFrom(OUR_URL), {})).rejects.toThrow(/folder dialog/);
  });
});
