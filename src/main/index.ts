/**
 * Electron main process entry.
 *
 * The studio window with its security model: sandboxed, context-isolated
 * renderer with no Node access; a strict CSP; no navigation, new windows or
 * permissions; and a single typed IPC surface (src/shared/contract, the
 * sender gate in src/main/ipc.ts, src/preload/index.ts), whose arguments the
 * studio backend validates.
 */
import { app, BrowserWindow, nativeTheme, session } from 'electron';
import { join } from 'node:path';
import { IpcManager } from './ipc';
import { createDesktopStudio } from './studio';
import type { StudioBackend } from '../studio/backend';
import { isTrustedRendererUrl, type RendererLocation } from './renderer-location';
import { hardenWebContents, installSessionPolicies } from './security';
import { createMainWindow } from './window';

const PRODUCT_NAME = 'GAN Studio';

// Same name (and so the same userData folder) in `npm start` and packaged builds.
app.setName(PRODUCT_NAME);
// Every renderer sandboxed, whatever its webPreferences say.
app.enableSandbox();

function resolveRendererLocation(): RendererLocation {
  // electron-vite dev sets ELECTRON_RENDERER_URL; a packaged app never honours it.
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  if (!app.isPackaged && devUrl) return { kind: 'dev-server', url: devUrl };
  return { kind: 'file', path: join(import.meta.dirname, '../renderer/index.html') };
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const location = resolveRendererLocation();
  const ipc = new IpcManager({ isTrustedSenderUrl: (url) => isTrustedRendererUrl(url, location) });
  let mainWindow: BrowserWindow | null = null;
  let studio: StudioBackend | null = null;
  let quitting = false;

  const openMainWindow = (): void => {
    mainWindow = createMainWindow(location, ipc);
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, location));

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Stop training with a checkpoint before quitting.
  app.on('before-quit', (event) => {
    if (quitting || !studio) return;
    event.preventDefault();
    quitting = true;
    const done = () => app.quit();
    studio.dispose().then(done, done);
  });

  app.on('will-quit', () => ipc.dispose());

  app
    .whenReady()
    .then(() => {
      nativeTheme.themeSource = 'dark';
      installSessionPolicies(session.defaultSession, location);
      studio = createDesktopStudio(ipc);
      const backend = studio;
      ipc.handleAll((channel, rawArgs) => backend.invoke(channel, rawArgs));
      openMainWindow();

      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
      });
    })
    .catch((error: unknown) => {
      console.error(
        `[main] failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      app.exit(1);
    });
}
