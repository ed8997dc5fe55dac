/**
 * Hardening that applies to every window and session, set up once at start.
 *
 * - Content-Security-Policy header on every response (the built index.html
 *   carries the same policy in a <meta>, for file:// loads).
 * - Permission requests (camera, notifications, geolocation, ...) denied,
 *   except writing to the clipboard from our own renderer.
 * - No navigation away from the renderer, no new windows, no <webview>.
 *
 * See https://www.electronjs.org/docs/latest/tutorial/security
 */
import type { Session, WebContents } from 'electron';
import { buildContentSecurityPolicy } from '../shared/csp';
import { isTrustedRendererUrl, type RendererLocation } from './renderer-location';

const ALLOWED_PERMISSIONS = new Set<string>(['clipboard-sanitized-write']);

export function installSessionPolicies(session: Session, location: RendererLocation): void {
  const csp = buildContentSecurityPolicy({
    dev: location.kind === 'dev-server',
    devServerUrl: location.kind === 'dev-server' ? location.url : undefined,
  });

  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[] | string> = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });

  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const url = details.requestingUrl || webContents.getURL();
    callback(ALLOWED_PERMISSIONS.has(permission) && isTrustedRendererUrl(url, location));
  });
  session.setPermissionCheckHandler((_webContents, permission, _origin, details) => {
    const url = details.requestingUrl ?? '';
    return ALLOWED_PERMISSIONS.has(permission) && isTrustedRendererUrl(url, location);
  });
}

/** Call from app 'web-contents-created' so every WebContents gets it. */
export function hardenWebContents(contents: WebContents, location: RendererLocation): void {
  contents.on('will-navigate', (event) => {
    if (!isTrustedRendererUrl(event.url, location)) {
      event.preventDefault();
      console.warn(`[security] blocked navigation to ${event.url}`);
    }
  });
  contents.on('will-frame-navigate', (event) => {
    // Subframes have no business loading anything (frame-src 'none' too).
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isTrustedRendererUrl(event.url, location)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    console.warn(`[security] blocked new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
