/** The renderer's files on the wire: compressed when the browser takes it, cached for good when hashed. */
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStudioServer, type StudioServer } from '../../src/server';
import { tempDir } from '../helpers/temp';
import { TEST_APP_INFO } from '../studio/helpers';

let server: StudioServer;
const script = `export const words = ${JSON.stringify(Array.from({ length: 4000 }, (_, i) => `word${i % 97}`))};\n`;

beforeAll(async () => {
  const root = await tempDir('gan-studio-static-');
  const rendererDir = path.join(root, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(
    path.join(rendererDir, 'index.html'),
    `<!doctype html><title>GAN Studio</title>${'<!-- padding -->'.repeat(100)}`,
  );
  await writeFile(path.join(rendererDir, 'assets', 'app-abc123.js'), script);
  await writeFile(path.join(rendererDir, 'assets', 'tiny.js'), 'x');
  server = await startStudioServer({ runsRoot: path.join(root, 'runs'), rendererDir, appInfo: TEST_APP_INFO });
});

afterAll(async () => {
  await server?.close();
});

/** A raw GET (fetch would decompress and hide the encoding). */
function get(
  p: string,
  acceptEncoding: string | null,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (acceptEncoding !== null) headers['accept-encoding'] = acceptEncoding;
    http
      .get(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `${p}${p.includes('?') ? '&' : '?'}token=${server.token}`,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      )
      .on('error', reject);
  });
}

describe('static files', () => {
  it('sends brotli, else gzip, else the plain file, all the same bytes once decoded', async () => {
    const br = await get('/assets/app-abc123.js', 'gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(script.length / 5);
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(script);

    const gz = await get('/assets/app-abc123.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(script);

    const plain = await get('/assets/app-abc123.js', null);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('caches hashed assets for good and the page never; tiny files go as they are', async () => {
    expect((await get('/assets/app-abc123.js', 'br')).headers['cache-control']).toBe(
      'private, max-age=31536000, immutable',
    );
    const page = await get('/', 'br');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-encoding']).toBe('br');
    const tiny = await get('/assets/tiny.js', 'br');
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('x');
  });
});
