/** Static files of the built renderer, confined to its folder. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The file under `root` for a URL path, or null when it would leave `root`. */
export function staticFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  const back = path.relative(root, file);
  if (back.startsWith('..') || path.isAbsolute(back)) return null;
  return file;
}

/** Types worth compressing (images and fonts already are). */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.wasm', '.map']);
/** Below this, compression saves less than it costs. */
const MIN_COMPRESS = 1024;

type Encoding = 'br' | 'gzip';

/** Compressed copies, made once per file version (the assets are content-hashed, so they rarely change). */
const compressed = new Map<string, Promise<Buffer>>();

function preferredEncoding(acceptEncoding: string | undefined): Encoding | null {
  const accepted = (acceptEncoding ?? '').toLowerCase();
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return null;
}

function compressedCopy(file: string, size: number, mtimeMs: number, encoding: Encoding): Promise<Buffer> {
  const key = `${encoding}:${file}:${size}:${mtimeMs}`;
  let copy = compressed.get(key);
  if (!copy) {
    copy = readFile(file).then((raw) =>
      encoding === 'br'
        ? brotli(raw, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
          })
        : gzip(raw, { level: 9 }),
    );
    copy.catch(() => compressed.delete(key));
    compressed.set(key, copy);
  }
  return copy;
}

/**
 * Sends a file with its type and cache policy: hashed assets are cached for
 * good, everything else (index.html) never. Text types go brotli- or
 * gzip-compressed when the browser accepts it.
 */
export async function sendFile(
  res: ServerResponse,
  file: string,
  headers: Record<string, string>,
  acceptEncoding?: string,
): Promise<boolean> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return false;
  const ext = path.extname(file).toLowerCase();
  const type = TYPES[ext] ?? 'application/octet-stream';
  const immutable = /[\\/]assets[\\/]/.test(file);
  const common = {
    ...headers,
    'content-type': type,
    'cache-control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
    vary: 'Accept-Encoding',
  };
  const encoding = COMPRESSIBLE.has(ext) && st.size >= MIN_COMPRESS ? preferredEncoding(acceptEncoding) : null;
  if (encoding) {
    const body = await compressedCopy(file, st.size, st.mtimeMs, encoding);
    res.writeHead(200, { ...common, 'content-encoding': encoding, 'content-length': String(body.length) });
    res.end(body);
    return true;
  }
  res.writeHead(200, { ...common, 'content-length': String(st.size) });
  createReadStream(file).pipe(res);
  return true;
}
