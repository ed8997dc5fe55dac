/**
 * The preload script (src/preload/index.ts): what it exposes to the sandboxed
 * renderer and what reaches main. Electron's contextBridge and ipcRenderer
 * are stood in (the binary cannot run here); the script itself runs as is.
 */
import { build } from 'esbuild';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  API_EVENT_METHODS,
  API_METHOD_CHANNELS,
  IPC_EVENT_CHANNELS,
  IPC_INVOKE_CHANNELS,
  type GanStudioApi,
} from '../../src/shared/contract';

type Listener = (event: unknown, payload: unknown) => void;
const bridge = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invokes: [] as Array<{ channel: string; args: unknown[] }>,
  listeners: new Map<string, Set<(event: unknown, payload: unknown) => void>>(),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld(key: string, api: unknown) {
      bridge.exposed.set(key, api);
    },
  },
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]) {
      bridge.invokes.push({ channel, args });
      return Promise.resolve({ echoed: channel });
    },
    on(channel: string, listener: Listener) {
      if (!bridge.listeners.has(channel)) bridge.listeners.set(channel, new Set());
      bridge.listeners.get(channel)!.add(listener);
    },
    removeListener(channel: string, listener: Listener) {
      bridge.listeners.get(channel)?.delete(listener);
    },
  },
}));

let api: GanStudioApi;

beforeAll(async () => {
  await import('../../src/preload/index');
  api = bridge.exposed.get('ganStudio') as GanStudioApi;
});

describe('preload bridge', () => {
  it('exposes exactly one method per operation and event, and nothing else', () => {
    expect([...bridge.exposed.keys()]).toEqual(['ganStudio']);
    const expected = [
      ...Object.keys(API_METHOD_CHANNELS),
      ...Object.keys(API_EVENT_METHODS),
      'onConnectionChange',
    ].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(Object.values(API_METHOD_CHANNELS).sort()).toEqual([...IPC_INVOKE_CHANNELS].sort());
    expect(Object.values(API_EVENT_METHODS).sort()).toEqual([...IPC_EVENT_CHANNELS].sort());
  });

  it('sends only the request object, on the method’s channel', async () => {
    bridge.invokes.length = 0;
    expect(await api.getRun({ runId: '00001-run' })).toEqual({ echoed: 'runs:get' });
    await api.listRuns();
    // A compromised page calling with extra arguments: they never cross.
    await (api.getRun as unknown as (...a: unknown[]) => Promise<unknown>)(
      { runId: '00001-run' },
      { sneaky: true },
      () => 1,
    );
    expect(bridge.invokes).toEqual([
      { channel: 'runs:get', args: [{ runId: '00001-run' }] },
      { channel: 'runs:list', args: [] },
      { channel: 'runs:get', args: [{ runId: '00001-run' }] },
    ]);
  });

  it('hands listeners the payload only, and unsubscribes them', () => {
    const got: unknown[] = [];
    const off = api.onRunsChanged((p) => got.push(p));
    const [wrapped] = bridge.listeners.get('runs:changed')!;
    wrapped({ sender: 'the IPC event, never shown to the page' }, { runId: null, reason: 'created' });
    expect(got).toEqual([{ runId: null, reason: 'created' }]);
    off();
    off();
    expect(bridge.listeners.get('runs:changed')!.size).toBe(0);
  });

  it('reports the desktop link as always connected', async () => {
    const states: unknown[] = [];
    api.onConnectionChange((s) => states.push(s));
    await Promise.resolve();
    expect(states).toEqual([{ connected: true, attempt: 0, error: null }]);
  });

  it('bundles without zod or the request schemas (sandboxed preloads load one file)', async () => {
    const out = await build({
      entryPoints: [path.resolve('src/preload/index.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((f) => f.includes('node_modules/zod'))).toBe(false);
    expect(inputs.filter((f) => f.startsWith('src/shared/contract/')).sort()).toEqual([
      'src/shared/contract/events.ts',
      'src/shared/contract/methods.ts',
      'src/shared/contract/operation.ts',
    ]);
  });
});
