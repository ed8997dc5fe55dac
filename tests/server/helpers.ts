/**
 * What the server tests that need a trained run share: a `gan-studio serve`
 * on a temp folder (a stub renderer page) with a tiny run trained for real
 * through its backend, and a WebSocket client of its API.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { TrainingEvent } from '../../src/shared/contract';
import { startStudioServer, type StudioServer } from '../../src/server';
import { tempDir } from '../helpers/temp';
import { TEST_APP_INFO, tinyConfig } from '../studio/helpers';

/** A reply to an `invoke` over the WebSocket. */
export interface WsReply {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string };
}

/** A served studio with one finished run (`runId`) in `root`/runs. */
export async function serveWithTrainedRun(
  prefix: string,
  config: Record<string, unknown>,
): Promise<{ server: StudioServer; root: string; runId: string }> {
  const root = await tempDir(prefix);
  const rendererDir = path.join(root, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>GAN Studio</title>');
  const server = await startStudioServer({
    runsRoot: path.join(root, 'runs'),
    rendererDir,
    appInfo: TEST_APP_INFO,
    workerEnv: { GAN_STUDIO_CACHE: path.join(root, 'cache') },
    log: () => {},
  });
  const done = new Promise<TrainingEvent>((resolve) =>
    server.backend.on((channel, payload) => {
      const e = payload as TrainingEvent;
      if (channel === 'training:event' && (e.type === 'done' || e.type === 'error' || e.type === 'died')) resolve(e);
    }),
  );
  await server.backend.invoke('training:start', [{ config: tinyConfig(config) }]);
  const end = await done;
  expect(end.type).toBe('done');
  return { server, root, runId: (end as { runId: string }).runId };
}

/** A WebSocket client of the studio API, with the token and the page's origin. */
export interface ApiSocket {
  ws: WebSocket;
  /** Invoke `channel` (with `request` as its one argument, or none) and wait for the reply. */
  call(channel: string, request?: unknown): Promise<WsReply>;
  /** Send any text as it is (for malformed messages). */
  send(text: string): void;
  /** A fresh message id, for messages made by hand. */
  nextId(): number;
  /** The reply to message `id`, waited for up to `timeoutMs`. */
  reply(id: number, timeoutMs?: number): Promise<WsReply>;
}

export async function connectApi(server: StudioServer): Promise<ApiSocket> {
  const replies = new Map<number, WsReply>();
  let next = 1;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, { origin: server.origin });
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as { type: string; id: number };
    if (m.type === 'result') replies.set(m.id, m as never);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const reply = async (id: number, timeoutMs = 60_000): Promise<WsReply> => {
    const started = Date.now();
    while (!replies.has(id)) {
      if (Date.now() - started > timeoutMs) throw new Error(`no reply to ${id}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return replies.get(id)!;
  };
  return {
    ws,
    send: (text) => ws.send(text),
    nextId: () => next++,
    reply,
    call(channel, request) {
      const id = next++;
      ws.send(JSON.stringify({ type: 'invoke', id, channel, args: request === undefined ? [] : [request] }));
      return reply(id);
    },
  };
}
