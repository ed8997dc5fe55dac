/**
 * Every handler of the contract, composed from one module per domain (as
 * electron/fiddle's per-domain setupX()). The type requires a handler for
 * every channel in src/shared/contract.
 */
import type { IpcInvokeChannel, IpcInvokeResult, IpcParsedArgs } from '../../shared/contract';
import { setupApp } from './app';
import type { StudioContext } from './context';
import { setupDatasets } from './datasets';
import { setupExport } from './export';
import { setupFolders } from './folders';
import { setupGenerate } from './generate';
import { setupRuns } from './runs';
import { setupTraining } from './training';

export type { StudioContext, StudioHost } from './context';

export type StudioHandlers = { [C in IpcInvokeChannel]: (...args: IpcParsedArgs<C>) => Promise<IpcInvokeResult<C>> };

export function setupHandlers(context: StudioContext): StudioHandlers {
  return {
    ...setupApp(context),
    ...setupFolders(context),
    ...setupDatasets(context),
    ...setupTraining(context),
    ...setupRuns(context),
    ...setupGenerate(context),
    ...setupExport(context),
  };
}
