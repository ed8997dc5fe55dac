import { app } from 'electron';
import type { AppInfo } from '../../shared/ipc';
import type { IpcInvokeHandler } from '../ipc';

export const appInfo: IpcInvokeHandler<'app:info'> = (): AppInfo => ({
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
});
