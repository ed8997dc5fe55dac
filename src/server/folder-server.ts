/**
 * A static server for one folder on loopback: `gan-studio export … --open`
 * serves the export's demo page with it. Read-only, confined to the folder
 * (staticFile), GET and HEAD only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendFile, staticFile } from './static';

export interface FolderServer {
  url: string;
  close(): Promise<void>;
}

export async function serveFolder(root: string, port = 0, host = '127.0.0.1'): Promise<FolderServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = req.method === 'GET' || req.method === 'HEAD' ? staticFile(root, url.pathname) : null;
    const notFound = () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    if (!file) return notFound();
    sendFile(res, file, { 'x-content-type-options': 'nosniff' }).then(
      (sent) => sent || notFound(),
      () => notFound(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
