/** Handlers of the folders domain (src/shared/contract/folders.ts). */
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { foldersOperations } from '../../shared/contract';
import { StudioError, StudioRejectedError } from '../errors';
import { chooseFolder, listDir } from '../folder-browser';
import type { DomainHandlers, StudioContext } from './context';

export function setupFolders({ host, paths, runs }: StudioContext): DomainHandlers<typeof foldersOperations> {
  return {
    'dialog:pick-folder': async (req) => {
      if (!host.pickFolder) throw new StudioError('No native dialogs in browser mode: use the folder browser.');
      const chosen = await host.pickFolder(req);
      if (!chosen) return null;
      return paths.grant(chosen, req.purpose);
    },

    'fs:list-dir': async (req) => {
      if (host.mode === 'electron')
        throw new StudioRejectedError('The folder browser is for browser mode; use the folder dialog.');
      return listDir(req.path ?? os.homedir(), paths.runsRoot);
    },

    'fs:choose-folder': async (req) => {
      if (host.mode === 'electron') throw new StudioRejectedError('Choose folders with the folder dialog.');
      return chooseFolder(paths, req.path, req.purpose, req.create);
    },

    'shell:open-path': async (req) => {
      const target = req.kind === 'run' ? await runs.runDir(req.runId) : await paths.viewablePath(req.path);
      if (!existsSync(target)) throw new StudioError(`Not found: ${target}`);
      const opened = host.openPath ? await host.openPath(target) : false;
      return { path: target, opened };
    },
  };
}
