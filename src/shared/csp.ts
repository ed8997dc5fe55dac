/**
 * The renderer's Content-Security-Policy, in one place.
 *
 * Main sends it as a response header (session.webRequest), `gan-studio serve`
 * sends it with every page (src/server), and the renderer build writes it into
 * the `<meta>` of index.html (electron.vite.config.ts), so they cannot drift
 * apart. Pure: no Electron or Node imports, safe to unit-test and to import
 * from the Vite config.
 *
 * The renderer reaches the backend through the preload API (desktop) or a
 * WebSocket to its own origin (browser mode), so it needs no other network:
 * everything is 'self' (the built files, the same-origin socket) or off. In
 * development Vite injects <style> tags and talks to its dev server over a
 * WebSocket for hot reload, so dev adds exactly that.
 */

export interface CspOptions {
  /** Running against the Vite dev server (`npm start`) instead of built files. */
  dev: boolean;
  /** The dev server's URL (ELECTRON_RENDERER_URL); used for its WebSocket origin. */
  devServerUrl?: string;
  /**
   * For a `<meta http-equiv>` tag: leaves out the directives browsers ignore
   * (and warn about) there, such as frame-ancestors.
   */
  forMeta?: boolean;
}

export function buildContentSecurityPolicy(options: CspOptions): string {
  const { dev, devServerUrl, forMeta = false } = options;

  const connect = ["'self'"];
  if (dev) {
    const ws = devWebSocketOrigins(devServerUrl);
    connect.push(...ws);
  }

  const directives: Array<[string, string[]]> = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    // Vite serves component styles as injected <style> tags in dev only; the
    // build extracts them to a .css file.
    ['style-src', dev ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    // Generated samples arrive as data: or blob: URLs.
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', connect],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-src', ["'none'"]],
  ];
  if (!forMeta) directives.push(['frame-ancestors', ["'none'"]]);

  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

function devWebSocketOrigins(devServerUrl: string | undefined): string[] {
  if (!devServerUrl) return ['ws://localhost:*', 'ws://127.0.0.1:*'];
  try {
    const url = new URL(devServerUrl);
    const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return [`${scheme}//${url.host}`];
  } catch {
    return ['ws://localhost:*', 'ws://127.0.0.1:*'];
  }
}
