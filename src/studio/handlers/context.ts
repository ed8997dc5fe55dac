/**
 * What every handler module gets: the host's abilities, the path guard, the
 * worker clients and the studio's bookkeeping modules. Each domain file
 * (./app.ts, ./folders.ts, …) turns this into the handlers of its channels.
 */
import type {
  AppInfo,
  IpcEventChannel,
  IpcInvokeChannel,
  IpcEventPayload,
  IpcInvokeResult,
  IpcParsedArgs,
  OperationTable,
  StudioMode,
} from '../../shared/contract';
import type { DatasetRegistry } from '../dataset-registry';
import type { DownloadRegistry } from '../downloads';
import type { PathGuard } from '../paths';
import type { RunLocator } from '../run-locator';
import type { RunWatcher } from '../run-watcher';
import type { ToolsClient } from '../workers/tools-client';
import type { TrainingManager } from '../training-manager';
import type { WorkerLauncher } from '../workers/worker-process';

/** What the host (Electron main or the serve command) provides. */
export interface StudioHost {
  mode: StudioMode;
  appInfo(): AppInfo;
  launcher: WorkerLauncher;
  /** Desktop only: the native folder dialog. */
  pickFolder?(options: { title?: string; purpose: 'dataset' | 'output' }): Promise<string | null>;
  /** Desktop only: open a folder in the system file manager; resolves false when it could not. */
  openPath?(p: string): Promise<boolean>;
}

export interface StudioContext {
  host: StudioHost;
  paths: PathGuard;
  tools: ToolsClient;
  training: TrainingManager;
  datasets: DatasetRegistry;
  runs: RunLocator;
  /** Browser mode: download links for what the outputs wrote. */
  downloads: DownloadRegistry;
  /** Follows run folders for the pages that asked (runs:follow). */
  watcher: RunWatcher;
  emit<E extends IpcEventChannel>(channel: E, payload: IpcEventPayload<E>): void;
}

/** The handlers of one domain's operation table: parsed arguments in, the result out. */
export type DomainHandlers<T extends OperationTable> = {
  [C in keyof T & IpcInvokeChannel]: (...args: IpcParsedArgs<C>) => Promise<IpcInvokeResult<C>>;
};
