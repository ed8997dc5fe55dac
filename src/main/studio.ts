/**
 * The desktop app's StudioBackend: native folder dialog, shell.openPath,
 * utility processes, and events forwarded to every window of ours.
 */
import { app, BrowserWindow, dialog, shell } from 'electron';
import path from 'node:path';
import type { AppInfo } from '../shared/contract';
import { StudioBackend } from '../studio/backend';
import type { IpcManager } from './ipc';
import { utilityLauncher } from './utility-process';

function appInfo(): AppInfo {
  return {
    name: app.getName(),
    version: app.getVersion(),
    versions: {
      node: process.versions.node,
      electron: process.versions.electron,
      chrome: process.versions.chrome,
      v8: process.versions.v8,
    },
    platform: process.platform,
    arch: process.arch,
    packaged: app.isPackaged,
  };
}

/** Where the desktop app keeps run folders: $GAN_STUDIO_RUNS, else ~/Documents/GAN Studio/runs. */
function desktopRunsRoot(): string {
  const fromEnv = process.env['GAN_STUDIO_RUNS']?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(app.getPath('documents'), 'GAN Studio', 'runs');
}

export function createDesktopStudio(ipc: IpcManager): StudioBackend {
  const backend = new StudioBackend({
    runsRoot: desktopRunsRoot(),
    host: {
      mode: 'electron',
      appInfo,
      launcher: utilityLauncher,
      async pickFolder({ title, purpose }) {
        const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const options: Electron.OpenDialogOptions = {
          title: title ?? (purpose === 'dataset' ? 'Choose a folder of images' : 'Choose an output folder'),
          properties:
            purpose === 'dataset' ? ['openDirectory'] : ['openDirectory', 'createDirectory', 'promptToCreate'],
        };
        const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
        return result.canceled || result.filePaths.length === 0 ? null : result.filePaths[0];
      },
      async openPath(p) {
        // shell.openPath resolves to an error string, '' on success.
        return (await shell.openPath(p)) === '';
      },
    },
  });
  backend.on((channel, payload) => {
    for (const window of BrowserWindow.getAllWindows()) ipc.send(window.webContents, channel, payload);
  });
  return backend;
}
