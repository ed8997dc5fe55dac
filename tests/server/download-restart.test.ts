/**
 * Download links survive a restart of `gan-studio serve`: a real serve
 * process writes a PNG (from a fixture run) and offers its link, is stopped
 * with SIGTERM and started again with the same config folder; the same link
 * gives the same bytes, with the token only. The saved registry is this
 * user's alone, and one that others could have written is not trusted.
 */
import { chmod, cp, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FIXTURES_DIR } from '../helpers/fixture-runs';
import { startServe, type ServeChild } from '../helpers/serve';
import { tempDir } from '../helpers/temp';

let serve: ServeChild | null = null;

afterAll(async () => {
  await serve?.stop();
});

/** One contract call over the served WebSocket. */
async function call(s: ServeChild, channel: string, request: unknown): Promise<unknown> {
  const u = new URL(s.url);
  const ws = new WebSocket(`ws://${u.host}/api/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { type: string; id: number };
        if (m.type === 'result' && m.id === 1) resolve(m as never);
      }),
    );
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel, args: [request] }));
    const r = await reply;
    if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
    return r.result;
  } finally {
    ws.close();
  }
}

const get = (s: ServeChild, p: string, token = true) => {
  const u = new URL(s.url);
  return fetch(`${u.origin}${p}${token ? `?token=${u.searchParams.get('token')}` : ''}`);
};

describe('download links across a restart of serve', () => {
  it('gives the same file after a restart, with the token only', async () => {
    const runs = await tempDir('gan-studio-dl-runs-');
    const config = await tempDir('gan-studio-dl-config-');
    await cp(path.join(FIXTURES_DIR, 'format-2', '00001-dcgan-28'), path.join(runs, '00001-dcgan-28'), {
      recursive: true,
    });
    serve = await startServe({ runs, config, args: ['--no-build'] });
    const saved = (await call(serve, 'generate:save-image', {
      checkpoint: { runId: '00001-dcgan-28' },
      pin: { seed: 3 },
    })) as {
      path: string;
      download: string;
    };
    const bytes = await readFile(saved.path);
    expect(Buffer.from(await (await get(serve, saved.download)).arrayBuffer()).equals(bytes)).toBe(true);
    await serve.stop();
    const registry = path.join(config, 'downloads.json');
    expect((await stat(registry)).mode & 0o777).toBe(0o600);

    serve = await startServe({ runs, config, args: ['--no-build'] });
    const again = await get(serve, saved.download);
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await get(serve, saved.download, false)).status).toBe(401);
    // an id it never issued is still nothing
    expect((await get(serve, saved.download.replace(/\/[\w-]{22}\//, '/AAAAAAAAAAAAAAAAAAAAAA/'))).status).toBe(404);
    await serve.stop();

    // A registry others could have written says nothing: its links 404 after the next start.
    await writeFile(registry, await readFile(registry));
    await chmod(registry, 0o666);
    serve = await startServe({ runs, config, args: ['--no-build'] });
    expect((await get(serve, saved.download)).status).toBe(404);
  }, 120_000);
});
