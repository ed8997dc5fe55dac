/**
 * StudioBackend: the implementation of the IPC contract (src/shared/contract),
 * shared by Electron main and `gan-studio serve`. It never imports Electron:
 * the few desktop-only abilities (native folder dialog, opening a folder in
 * the file manager, utilityProcess) come in through `StudioHost`.
 *
 * `invoke` is the one door: both front ends hand it the raw channel and
 * arguments (Electron main after its sender check), and it validates them
 * with the contract's zod schemas before a handler (./handlers) runs.
 *
 * Heavy work runs in child processes: training in a training worker (one job
 * at a time), dataset import, thumbnails, previews, generation and export in
 * the tools worker. What runs here is small file reads and bookkeeping, so the
 * host's event loop stays responsive.
 *
 * "Backend" here means the app's server side behind the UI; it is unrelated
 * to the compute backend (src/engine/backend: which tfjs backend trains).
 */
import type { z } from 'zod';
import {
  IPC_INVOKE_ARG_SCHEMAS,
  isIpcInvokeChannel,
  type IpcEventChannel,
  type IpcEventPayload,
} from '../shared/contract';
import { DatasetRegistry } from './dataset-registry';
import { serializeError } from './datasets-common';
import { DownloadRegistry } from './downloads';
import { RunsRootWatcher } from './runs-root-watcher';
import { describeArgIssues, StudioRejectedError } from './errors';
import { setupHandlers, type StudioHandlers, type StudioHost } from './handlers';
import { PathGuard } from './paths';
import { RunLocator } from './run-locator';
import { RunWatcher, type RunWatcherOptions } from './run-watcher';
import { ToolsClient } from './workers/tools-client';
import { TrainingManager } from './training-manager';

export type { StudioHandlers, StudioHost } from './handlers';

export interface StudioBackendOptions {
  host: StudioHost;
  /** Folder of the run folders (created when missing). */
  runsRoot: string;
  /** Extra environment for the worker processes (e.g. GAN_STUDIO_CACHE). */
  workerEnv?: Record<string, string>;
  /** How followed runs are polled (tests use a short interval). */
  follow?: RunWatcherOptions;
  /** Browser mode: where the download links are kept across restarts (none: in memory only). */
  downloadsFile?: string;
}

export type StudioEventListener = <E extends IpcEventChannel>(channel: E, payload: IpcEventPayload<E>) => void;

export class StudioBackend {
  readonly paths: PathGuard;
  readonly handlers: StudioHandlers;
  /** What the outputs wrote, for the server's download route (browser mode). */
  readonly downloads: DownloadRegistry;
  private readonly listeners = new Set<StudioEventListener>();
  private readonly tools: ToolsClient;
  private readonly training: TrainingManager;
  /** Follows run folders for the pages that asked, wherever the run is trained. */
  readonly watcher: RunWatcher;
  /** Notices run folders made or removed by another process, so the run list refreshes. */
  private readonly rootWatcher: RunsRootWatcher;

  constructor(options: StudioBackendOptions) {
    this.paths = new PathGuard(options.runsRoot);
    this.downloads = new DownloadRegistry(options.host.mode === 'browser', options.downloadsFile ?? null);
    const env = options.workerEnv ?? {};
    this.tools = new ToolsClient(options.host.launcher, env, (p) => this.emit('task:progress', p));
    this.training = new TrainingManager(options.host.launcher, this.paths.runsRoot, env, {
      event: (e) => this.emit('training:event', e),
      state: (s) => this.emit('training:state', s),
      runsChanged: (runId, reason) => this.emit('runs:changed', { runId, reason }),
    });
    const runs = new RunLocator(this.paths, this.training);
    this.watcher = new RunWatcher(
      this.paths.runsRoot,
      () => runs.live(),
      (channel, payload) => this.emit(channel, payload),
      options.follow,
    );
    this.rootWatcher = new RunsRootWatcher(
      this.paths.runsRoot,
      () => this.emit('runs:changed', { runId: null, reason: 'created' }),
      options.follow?.intervalMs,
    );
    this.rootWatcher.start();
    this.handlers = setupHandlers({
      host: options.host,
      paths: this.paths,
      tools: this.tools,
      training: this.training,
      datasets: new DatasetRegistry(this.paths.runsRoot, this.paths),
      runs,
      watcher: this.watcher,
      downloads: this.downloads,
      emit: (channel, payload) => this.emit(channel, payload),
    });
  }

  get runsRoot(): string {
    return this.paths.runsRoot;
  }

  /** Pids of the worker processes (benchmarks, tests). */
  get workerPids(): { training: number | undefined; tools: number | undefined } {
    return { training: this.training.pid(), tools: this.tools.pid };
  }

  on(listener: StudioEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit<E extends IpcEventChannel>(channel: E, payload: IpcEventPayload<E>): void {
    for (const l of this.listeners) {
      try {
        l(channel, payload);
      } catch (e) {
        console.error(`[studio] event listener failed: ${serializeError(e).message}`);
      }
    }
  }

  /**
   * Validates raw arguments with the channel's zod schema and runs the
   * handler. Rejects unknown channels and bad arguments with a
   * StudioRejectedError.
   */
  async invoke(channel: unknown, rawArgs: unknown): Promise<unknown> {
    if (!isIpcInvokeChannel(channel)) throw new StudioRejectedError(`Unknown operation "${String(channel)}".`);
    const schema = IPC_INVOKE_ARG_SCHEMAS[channel] as z.ZodType<unknown[]>;
    const parsed = schema.safeParse(rawArgs);
    if (!parsed.success)
      throw new StudioRejectedError(`Invalid arguments for "${channel}": ${describeArgIssues(parsed.error)}`);
    const fn = this.handlers[channel] as (...args: unknown[]) => Promise<unknown>;
    return fn(...parsed.data);
  }

  /** Stops training (with a checkpoint) and the workers. */
  async dispose(): Promise<void> {
    this.watcher.dispose();
    this.rootWatcher.dispose();
    await this.training.shutdown();
    this.tools.dispose();
    this.listeners.clear();
    await this.downloads.flush();
  }
}
