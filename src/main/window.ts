import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { IpcManager } from './ipc';
import { rendererEntryUrl, type RendererLocation } from './renderer-location';

/** The window background, shown before the renderer paints; matches the renderer theme. */
const WINDOW_BACKGROUND = '#0f1117';

export function createMainWindow(location: RendererLocation, ipc: IpcManager): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'GAN Studio',
    backgroundColor: WINDOW_BACKGROUND,
    // Linux uses this for the taskbar; macOS and Windows take the bundle's icon.
    ...(process.platform === 'linux' ? { icon: join(app.getAppPath(), 'resources', 'icon.png') } : {}),
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });

  window.once('ready-to-show', () => window.show());

  window.on('focus', () => ipc.send(window.webContents, 'window:focus-changed', { focused: true }));
  window.on('blur', () => ipc.send(window.webContents, 'window:focus-changed', { focused: false }));

  const load =
    location.kind === 'dev-server' ? window.loadURL(rendererEntryUrl(location)) : window.loadFile(location.path);
  load.catch((error: unknown) => {
    console.error(`[main] failed to load the renderer: ${error instanceof Error ? error.message : String(error)}`);
  });

  return window;
}
