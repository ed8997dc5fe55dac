/** Handlers of the app domain (src/shared/contract/app.ts). */
import os from 'node:os';
import path from 'node:path';
import type { appOperations } from '../../shared/contract';
import { demoDatasetDir } from '../../engine/light';
import type { DomainHandlers, StudioContext } from './context';

export function setupApp({ host, paths, tools }: StudioContext): DomainHandlers<typeof appOperations> {
  return {
    'app:info': async () => host.appInfo(),

    'studio:info': async () => ({
      app: host.appInfo(),
      mode: host.mode,
      nativeDialogs: host.mode === 'electron' && host.pickFolder !== undefined,
      runsRoot: paths.runsRoot,
      demoDatasetDir: demoDatasetDir(),
      home: os.homedir(),
      pathSeparator: path.sep,
    }),

    'studio:backends': async () => tools.call('probeBackends', {}),
  };
}
