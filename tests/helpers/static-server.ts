/**
 * A static server on loopback for the browser tests: folders mounted under
 * URL prefixes, single files or inline pages at exact paths, and a log of
 * every request it saw.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The tfjs browser bundle from node_modules (the version the engine runs). */
export const TFJS_BUNDLE = path.resolve('node_modules/@tensorflow/tfjs/dist/tf.min.js');

export type Route = { file: string } | { text: string; type?: string } | { dir: string };

export interface StaticServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html',
  '.png': 'image/png',
};

/**
 * Serve `routes`: an exact path ('/tf.min.js') maps to a file or a text; a
 * prefix ending in '/' ('/sn/') maps to a folder (its files by base name, and
 * '/sn/' itself to index.html).
 */
export async function serveStatic(routes: Record<string, Route>): Promise<StaticServer> {
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push(pathname);
    let route: Route | undefined = routes[pathname];
    let file: string | null = null;
    if (!route || 'dir' in route) {
      const prefix = Object.keys(routes).find((p) => p.endsWith('/') && pathname.startsWith(p) && 'dir' in routes[p]);
      if (prefix) {
        const rest = pathname.slice(prefix.length);
        route = routes[prefix];
        file = path.join((route as { dir: string }).dir, rest === '' ? 'index.html' : path.basename(rest));
      }
    } else if ('file' in route) file = route.file;
    try {
      if (!route) throw new Error('no route');
      const body = file ? await readFile(file) : Buffer.from((route as { text: string }).text);
      const type = file
        ? (TYPES[path.extname(file)] ?? 'application/octet-stream')
        : ((route as { type?: string }).type ?? 'text/html');
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
