/**
 * The studio's file writes (issue 12): outputs never land on a run's own
 * files and never replace an existing file unless the user confirmed it.
 * Tried over the WebSocket of `gan-studio serve` and through Electron main's
 * IPC handlers (ipcMain stood in: the Electron binary cannot run here), both
 * in front of the same real backend, with a run trained for real.
 */
import { createHash } from 'node:crypto';
import { cp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { StudioServer } from '../../src/server';
import { tempDir } from '../helpers/temp';
import { connectApi, serveWithTrainedRun, type ApiSocket, type WsReply } from './helpers';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
const ipcHandlers = vi.hoisted(() => new Map<string, Handler>());
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: Handler) => ipcHandlers.set(channel, handler),
    removeHandler: (channel: string) => ipcHandlers.delete(channel),
  },
}));
const { IpcManager } = await import('../../src/main/ipc');

let server: StudioServer;
let runDir: string;
let runId: string;
let api: ApiSocket;
let ws: WebSocket;

/** Every file of the run with its hash, except what the studio may write (generated/, export-web*). */
async function runFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (/^(generated|export-web)/.test(rel)) continue;
    out[rel] = createHash('sha256')
      .update(await readFile(path.join(dir, rel)))
      .digest('hex');
  }
  return out;
}

const sendRaw = (text: string): void => api.send(text);
const wsCall = (channel: string, request?: unknown): Promise<WsReply> => api.call(channel, request);
const reply = (id: number): Promise<WsReply> => api.reply(id);
const nextMessageId = (): number => api.nextId();

beforeAll(async () => {
  ({ server, runId } = await serveWithTrainedRun('gan-studio-run-files-', {
    steps: 4,
    sampleEvery: 2,
    checkpointEvery: 2,
    name: 'guarded',
  }));
  runDir = path.join(server.backend.runsRoot, runId);
  api = await connectApi(server);
  ws = api.ws;
});

afterAll(async () => {
  ws?.close();
  await server?.close();
});

/** Requests that would write on the run's own files; each must be refused and write nothing. */
function attacks(): Array<[string, string, unknown]> {
  const checkpoint = { runId };
  const ckDir = path.join(runDir, 'checkpoints', 'step-000004');
  return [
    [
      'save-image onto config.json',
      'generate:save-image',
      { checkpoint, pin: { seed: 1 }, dir: runDir, fileName: 'config.json', overwrite: true },
    ],
    [
      'save-image onto status.json',
      'generate:save-image',
      { checkpoint, pin: { seed: 1 }, dir: runDir, fileName: 'status.json', overwrite: true },
    ],
    [
      'save-image onto stats.jsonl',
      'generate:save-image',
      { checkpoint, pin: { seed: 1 }, dir: runDir, fileName: 'stats.jsonl' },
    ],
    [
      'save-image onto a checkpoint state.json',
      'generate:save-image',
      { checkpoint, pin: { seed: 1 }, dir: ckDir, fileName: 'state.json', overwrite: true },
    ],
    [
      'save-image into checkpoints/',
      'generate:save-image',
      { checkpoint, pin: { seed: 1 }, dir: path.join(runDir, 'checkpoints') },
    ],
    [
      'save-image into samples/',
      'generate:save-image',
      { checkpoint, pin: { seed: 1 }, dir: path.join(runDir, 'samples'), fileName: 'step-000002.png', overwrite: true },
    ],
    [
      'save-latents onto config.json',
      'generate:save-latents',
      { checkpoint, pins: [{ seed: 1 }], dir: runDir, fileName: 'config.json', overwrite: true },
    ],
    ['save-latents into a checkpoint', 'generate:save-latents', { checkpoint, pins: [{ seed: 1 }], dir: ckDir }],
    [
      'png frames as checkpoints/',
      'generate:export-interpolation',
      {
        checkpoint,
        pins: [{ seed: 1 }, { seed: 2 }],
        framesPerSegment: 2,
        format: 'png-sequence',
        dir: runDir,
        name: 'checkpoints',
        overwrite: true,
      },
    ],
    [
      'gif onto stats.jsonl',
      'generate:export-interpolation',
      {
        checkpoint,
        pins: [{ seed: 1 }, { seed: 2 }],
        framesPerSegment: 2,
        format: 'gif',
        dir: runDir,
        name: 'stats.jsonl',
        overwrite: true,
      },
    ],
    ['a batch into a checkpoint', 'generate:batch', { checkpoint, count: 2, seed: 3, dir: ckDir, overwrite: true }],
    [
      'a batch into the run folder itself',
      'generate:batch',
      { checkpoint, count: 2, seed: 3, dir: runDir, overwrite: true },
    ],
    [
      'a web export into checkpoints/',
      'export:web',
      { checkpoint, dir: path.join(runDir, 'checkpoints', 'step-000002'), overwrite: true },
    ],
  ];
}

describe('over the WebSocket', () => {
  it("refuses every write on the run's own files, and the run stays as it was", async () => {
    const before = await runFiles(runDir);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([
        'config.json',
        'status.json',
        'stats.jsonl',
        path.join('checkpoints', 'step-000004', 'state.json'),
      ]),
    );
    for (const [what, channel, request] of attacks()) {
      const r = await wsCall(channel, request);
      expect(r.ok, what).toBe(false);
      expect(r.error?.message, what).toMatch(/only the trainer writes/);
    }
    expect(await runFiles(runDir)).toEqual(before);
    // Still a healthy run: it loads and generates.
    expect((await wsCall('generate:load', { checkpoint: { runId } })).ok).toBe(true);
  });

  it('finds run folders outside the runs root and through symbolic links', async () => {
    const out = await tempDir('gan-studio-out-');
    expect((await wsCall('fs:choose-folder', { path: out, purpose: 'output' })).ok).toBe(true);
    const copy = path.join(out, 'cli-run');
    await cp(runDir, copy, { recursive: true });
    await symlink(path.join(runDir, 'checkpoints'), path.join(out, 'link'));
    const before = await runFiles(copy);
    const checkpoint = { runId };
    for (const request of [
      { checkpoint, pin: { seed: 1 }, dir: copy, fileName: 'config.json', overwrite: true },
      {
        checkpoint,
        pin: { seed: 1 },
        dir: path.join(out, 'link', 'step-000004'),
        fileName: 'state.json',
        overwrite: true,
      },
    ]) {
      const r = await wsCall('generate:save-image', request);
      expect(r.error?.message).toMatch(/only the trainer writes/);
    }
    expect(await runFiles(copy)).toEqual(before);
  });

  it('never replaces a file unless asked to: default names get a numbered sibling, chosen names need overwrite', async () => {
    const checkpoint = { runId };
    const first = await wsCall('generate:save-image', { checkpoint, pin: { seed: 7 }, scale: 1 });
    const second = await wsCall('generate:save-image', {
      checkpoint,
      pin: { seed: 8 },
      scale: 1,
      fileName: 'seed7-x1.png',
    });
    const third = await wsCall('generate:save-image', { checkpoint, pin: { seed: 7 }, scale: 1 });
    expect((first.result as { path: string }).path).toBe(path.join(runDir, 'generated', 'seed7-x1.png'));
    expect(second.error?.message).toMatch(
      /seed7-x1\.png already exists in .*: choose another name, or confirm replacing it/,
    );
    expect((third.result as { path: string }).path).toBe(path.join(runDir, 'generated', 'seed7-x1-2.png'));
    const original = await readFile(path.join(runDir, 'generated', 'seed7-x1.png'));
    const replaced = await wsCall('generate:save-image', {
      checkpoint,
      pin: { seed: 8 },
      scale: 1,
      fileName: 'seed7-x1.png',
      overwrite: true,
    });
    expect(replaced.ok).toBe(true);
    expect((await readFile(path.join(runDir, 'generated', 'seed7-x1.png'))).equals(original)).toBe(false);

    const latents = await wsCall('generate:save-latents', { checkpoint, pins: [{ seed: 1 }], fileName: 'pins.json' });
    expect(latents.ok).toBe(true);
    expect(
      (await wsCall('generate:save-latents', { checkpoint, pins: [{ seed: 2 }], fileName: 'pins.json' })).error
        ?.message,
    ).toMatch(/pins\.json already exists/);

    const out = await tempDir('gan-studio-batch-');
    await writeFile(path.join(out, 'keep.txt'), 'mine');
    await wsCall('fs:choose-folder', { path: out, purpose: 'output' });
    expect((await wsCall('generate:batch', { checkpoint, count: 2, seed: 5, dir: out })).error?.message).toMatch(
      /already holds files: choose an empty folder, or confirm/,
    );
    expect((await wsCall('generate:batch', { checkpoint, count: 2, seed: 5, dir: out, overwrite: true })).ok).toBe(
      true,
    );
    expect(await readFile(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');

    const b1 = await wsCall('generate:batch', { checkpoint, count: 1, seed: 9 });
    const b2 = await wsCall('generate:batch', { checkpoint, count: 1, seed: 9 });
    expect([(b1.result as { path: string }).path, (b2.result as { path: string }).path]).toEqual([
      path.join(runDir, 'generated', 'batch-9'),
      path.join(runDir, 'generated', 'batch-9-2'),
    ]);

    const e1 = await wsCall('export:web', { checkpoint });
    const e2 = await wsCall('export:web', { checkpoint });
    expect([(e1.result as { dir: string }).dir, (e2.result as { dir: string }).dir]).toEqual([
      path.join(runDir, 'export-web'),
      path.join(runDir, 'export-web-2'),
    ]);
  });

  it('answers malformed invokes with an error result and keeps the link', async () => {
    sendRaw('not json');
    sendRaw(JSON.stringify({ type: 'invoke', channel: 'studio:info', args: [] })); // no id: nothing to answer
    const id = nextMessageId();
    sendRaw(JSON.stringify({ type: 'bogus', id }));
    expect(await reply(id)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/Not an invoke message/) },
    });
    const id2 = nextMessageId();
    sendRaw(JSON.stringify({ type: 'invoke', id: id2, channel: 'runs:list', args: 'nope' }));
    expect(await reply(id2)).toMatchObject({
      ok: false,
      error: { name: 'StudioRejectedError', message: expect.stringMatching(/Invalid arguments for "runs:list"/) },
    });
    const id3 = nextMessageId();
    sendRaw(JSON.stringify({ type: 'invoke', id: id3, args: [] }));
    expect(await reply(id3)).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/Unknown operation/) },
    });
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect((await wsCall('runs:list')).ok).toBe(true);
  });
});

describe('through the Electron IPC handlers', () => {
  it("refuses every write on the run's own files", async () => {
    const ipc = new IpcManager({ isTrustedSenderUrl: (url) => url === 'file:///app/index.html', log: () => {} });
    ipc.handleAll((channel, rawArgs) => server.backend.invoke(channel, rawArgs));
    try {
      const before = await runFiles(runDir);
      const event = { senderFrame: { url: 'file:///app/index.html' }, sender: {} };
      for (const [what, channel, request] of attacks()) {
        await expect(ipcHandlers.get(channel)!(event, request), what).rejects.toThrow(/only the trainer writes/);
      }
      await expect(
        ipcHandlers.get('generate:save-image')!(event, {
          checkpoint: { runId },
          pin: { seed: 7 },
          scale: 1,
          fileName: 'seed7-x1.png',
        }),
      ).rejects.toThrow(/already exists/);
      expect(await runFiles(runDir)).toEqual(before);
    } finally {
      ipc.dispose();
    }
  });
});
