/**
 * Browser mode's download route: every output the studio writes can be
 * downloaded (a folder as a streamed zip), only with the token, only by the
 * id the studio issued for it (the URL holds no path, so no traversal), and
 * a refused overwrite reaches the page by its error name.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_EXISTS_ERROR } from '../../src/shared/output-errors';
import { DOWNLOAD_PATH } from '../../src/shared/ws-protocol';
import { DownloadRegistry } from '../../src/studio/downloads';
import type { StudioServer } from '../../src/server';
import { connectApi, serveWithTrainedRun, type ApiSocket } from './helpers';

let server: StudioServer;
let root: string;
let runId: string;
let api: ApiSocket;
const wsCall = (channel: string, request: unknown) => api.call(channel, request);

/** A GET of a raw path (fetch would normalise `..` away before sending). */
function rawGet(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.port, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
  });
}

const withToken = (p: string) => `${p}${p.includes('?') ? '&' : '?'}token=${server.token}`;

beforeAll(async () => {
  ({ server, root, runId } = await serveWithTrainedRun('gan-studio-download-', {
    steps: 2,
    sampleEvery: 0,
    checkpointEvery: 2,
  }));
  await writeFile(path.join(root, 'secret.txt'), 'secret');
  api = await connectApi(server);
}, 180_000);

afterAll(async () => {
  api?.ws.close();
  await server?.close();
});

describe('downloads', () => {
  it('streams a written PNG with the token only, as an attachment with its bytes', async () => {
    const saved = await wsCall('generate:save-image', { checkpoint: { runId }, pin: { seed: 3 }, scale: 2 });
    expect(saved.ok).toBe(true);
    const { path: file, download } = saved.result as { path: string; download: string };
    expect(download).toMatch(new RegExp(`^${DOWNLOAD_PATH}/[\\w-]{22}/seed3-x2\\.png$`));
    expect((await rawGet(download)).status).toBe(401);
    const res = await fetch(`${server.origin}${withToken(download)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="seed3-x2\.png"/);
    expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(file))).toBe(true);
    // The name segment is only for the browser: another name still gives this file, never another.
    const id = download.split('/')[3];
    const renamed = await rawGet(withToken(`${DOWNLOAD_PATH}/${id}/..%2f..%2f..%2fsecret.txt`));
    expect(renamed.body.equals(await readFile(file))).toBe(true);
  });

  it('streams a folder (a batch, a GIF frame sequence) as a zip of exactly its files', async () => {
    const batch = await wsCall('generate:batch', { checkpoint: { runId }, count: 5, seed: 10, scale: 2 });
    expect(batch.ok).toBe(true);
    const { path: dir, download } = batch.result as { path: string; download: string };
    await writeFile(path.join(dir, '.half-written.tmp'), 'x'); // hidden temp files stay out
    const res = await fetch(`${server.origin}${withToken(download)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain(`filename="${path.basename(dir)}.zip"`);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
    expect(Object.keys(files).sort()).toEqual(names);
    expect(names).toHaveLength(5);
    for (const n of names) expect(Buffer.from(files[n]).equals(await readFile(path.join(dir, n)))).toBe(true);

    const seq = await wsCall('generate:export-interpolation', {
      checkpoint: { runId },
      pins: [{ seed: 1 }, { seed: 2 }],
      framesPerSegment: 2,
      loop: false,
      format: 'png-sequence',
    });
    const frames = unzipSync(
      new Uint8Array(
        await (
          await fetch(`${server.origin}${withToken((seq.result as { download: string }).download)}`)
        ).arrayBuffer(),
      ),
    );
    expect(Object.keys(frames).sort()).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png']);

    // A web export: the folder of the demo page and the model, as one zip of exactly what it wrote.
    const exported = await wsCall('export:web', { checkpoint: { runId }, quantize: 'uint8' });
    expect(exported.ok).toBe(true);
    const web = exported.result as { dir: string; files: string[]; download: string };
    const zip = unzipSync(
      new Uint8Array(await (await fetch(`${server.origin}${withToken(web.download)}`)).arrayBuffer()),
    );
    expect(Object.keys(zip).sort()).toEqual(web.files);
    expect(Buffer.from(zip['generator.json']).equals(await readFile(path.join(web.dir, 'generator.json')))).toBe(true);
  });

  it('gives nothing for an id it did not issue, a path, or an output that was deleted', async () => {
    // `..` segments are resolved by URL parsing before routing: that is the app page, not a file.
    const dotted = await rawGet(withToken(`${DOWNLOAD_PATH}/../../secret.txt`));
    expect(dotted.body.toString()).toContain('<title>GAN Studio</title>');
    for (const p of [
      `${DOWNLOAD_PATH}/AAAAAAAAAAAAAAAAAAAAAA/x.png`,
      `${DOWNLOAD_PATH}/..%2f..%2fsecret.txt`,
      `${DOWNLOAD_PATH}/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
      `${DOWNLOAD_PATH}/`,
    ]) {
      const res = await rawGet(withToken(p));
      expect(res.status, p).toBe(404);
      expect(res.body.toString()).not.toContain('secret');
    }
    const saved = await wsCall('generate:save-latents', { checkpoint: { runId }, pins: [{ seed: 1 }] });
    const { path: file, download } = saved.result as { path: string; download: string };
    expect((await fetch(`${server.origin}${withToken(download)}`)).headers.get('content-type')).toBe(
      'application/json',
    );
    await rm(file);
    expect((await rawGet(withToken(download))).status).toBe(404);
    // The desktop app writes where the user chose and offers no links.
    expect(new DownloadRegistry(false).offer(file, 'file')).toBeNull();
  });

  it('tells the page by name that an output would replace files, and replaces them when confirmed', async () => {
    const first = await wsCall('generate:save-image', {
      checkpoint: { runId },
      pin: { seed: 8 },
      fileName: 'mine.png',
    });
    expect(first.ok).toBe(true);
    const again = await wsCall('generate:save-image', {
      checkpoint: { runId },
      pin: { seed: 9 },
      fileName: 'mine.png',
    });
    expect(again.ok).toBe(false);
    expect(again.error).toMatchObject({
      name: OUTPUT_EXISTS_ERROR,
      message: expect.stringMatching(/^mine\.png already exists in /),
    });
    const before = await readFile((first.result as { path: string }).path);
    const confirmed = await wsCall('generate:save-image', {
      checkpoint: { runId },
      pin: { seed: 9 },
      fileName: 'mine.png',
      overwrite: true,
    });
    expect(confirmed.ok).toBe(true);
    expect((await readFile((confirmed.result as { path: string }).path)).equals(before)).toBe(false);
  });
});
