/** Static files of the built renderer, confined to its folder. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

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

export async function sendFile(res: ServerResponse, file: string, headers: Record<string, string>): Promise<boolean> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return false;
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = /[\\/]assets[\\/]/.test(file);
  res.writeHead(200, {
    ...headers,
    'content-type': type,
    'content-length': String(st.size),
    'cache-control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
  });
  createReadStream(file).pipe(res);
  return true;
}
