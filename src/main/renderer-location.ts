/**
 * Where the renderer is loaded from, and which URLs count as "ours".
 *
 * Pure (no Electron imports) so it can be unit-tested. Used for three checks:
 * IPC senders (src/main/ipc.ts), navigation (src/main/security.ts) and the CSP.
 */
import { pathToFileURL } from 'node:url';

export type RendererLocation =
  /** `npm start`: the Vite dev server electron-vite started (ELECTRON_RENDERER_URL). */
  | { kind: 'dev-server'; url: string }
  /** Built or packaged app: out/renderer/index.html on disk. */
  | { kind: 'file'; path: string };

/** The URL the main window loads. */
export function rendererEntryUrl(location: RendererLocation): string {
  return location.kind === 'dev-server' ? location.url : pathToFileURL(location.path).href;
}

/**
 * True when `candidate` is our renderer: any page on the dev server's origin,
 * or exactly our index.html on disk (query and hash ignored). Everything else
 * (other files, other sites, about:blank, malformed URLs) is false.
 */
export function isTrustedRendererUrl(candidate: string, location: RendererLocation): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }

  if (location.kind === 'dev-server') {
    let dev: URL;
    try {
      dev = new URL(location.url);
    } catch {
      return false;
    }
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === dev.origin;
  }

  if (url.protocol !== 'file:') return false;
  const expected = pathToFileURL(location.path);
  return normaliseFileUrl(url) === normaliseFileUrl(expected);
}

function normaliseFileUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  copy.search = '';
  let pathname = decodeURIComponent(copy.pathname);
  // Windows drive letters may differ in case between Chromium and Node.
  if (/^\/[A-Za-z]:\//.test(pathname)) pathname = pathname[1].toLowerCase() + pathname.slice(2);
  return `${copy.host}|${pathname}`;
}
