/**
 * StudioBackend: the implementation of the IPC contract (src/shared/ipc.ts),
 * shared by Electron main and `gan-studio serve`. It never imports Electron:
 * the few desktop-only abilities (native folder dialog, opening a folder in
 * the file manager, utilityProcess) come in through `StudioHost`.
 *
 * Heavy work runs in child processes: training in a training worker (one job
 * at a time), dataset import, thumbnails, previews, generation and export in
 * the tools worker. What runs here is small file reads and bookkeeping, so the
 * host's event loop stays responsive.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { TrainConfigSchema } from '../shared/config';
import {
  IPC_INVOKE_ARG_SCHEMAS,
  isIpcInvokeChannel,
  type AppInfo,
  type CheckpointRef,
  type DatasetSummary,
  type DirListing,
  type IpcEventChannel,
  type IpcEventPayload,
  type IpcInvokeChannel,
  type IpcInvokeResult,
  type IpcParsedArgs,
  type LatentsFile,
  type StudioMode,
} from '../shared/ipc';
import { checkpointDir, demoDatasetDir, hasImageExtension, planRun, readRunConfig, writeFileAtomic } from '../engine/light';
import { configSchemaInfo, resolveConfigRequest } from './config-service';
import { datasetId, serializeError } from './datasets-common';
import { describeArgIssues, StudioError, StudioRejectedError } from './errors';
import { PathGuard, realpathLoose } from './paths';
import { checkpointSteps, deleteRun, diffConfigs, listRuns, newestSampleStep, readRunStats, runDetail, sampleFile, summarizeRun, type LiveInfo } from './runs';
import { ToolsClient } from './tools-client';
import type { CheckpointLocation } from './tools-protocol';
import { TrainingManager } from './training-manager';
import type { WorkerLauncher } from './worker-process';

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

export interface StudioBackendOptions {
  host: StudioHost;
  /** Folder of the run folders (created when missing). */
  runsRoot: string;
  /** Extra environment for the worker processes (e.g. GAN_STUDIO_CACHE). */
  workerEnv?: Record<string, string>;
}

export type StudioHandlers = { [C in IpcInvokeChannel]: (...args: IpcParsedArgs<C>) => Promise<IpcInvokeResult<C>> };

export type StudioEventListener = <E extends IpcEventChannel>(channel: E, payload: IpcEventPayload<E>) => void;

interface RememberedDataset {
  dir: string | null;
  summary: DatasetSummary;
}

const STATE_DIR = '.studio';
const DATASETS_FILE = 'datasets.json';
const DATASETS_KEPT = 30;

export class StudioBackend {
  readonly paths: PathGuard;
  readonly handlers: StudioHandlers;
  private readonly listeners = new Set<StudioEventListener>();
  private readonly tools: ToolsClient;
  private readonly training: TrainingManager;
  private readonly datasets = new Map<string, RememberedDataset>();
  private datasetsLoaded: Promise<void> | null = null;
  private readonly host: StudioHost;

  constructor(options: StudioBackendOptions) {
    this.host = options.host;
    this.paths = new PathGuard(options.runsRoot);
    const env = options.workerEnv ?? {};
    this.tools = new ToolsClient(options.host.launcher, env, (p) => this.emit('task:progress', p));
    this.training = new TrainingManager(options.host.launcher, this.paths.runsRoot, env, {
      event: (e) => this.emit('training:event', e),
      state: (s) => this.emit('training:state', s),
      runsChanged: (runId, reason) => this.emit('runs:changed', { runId, reason }),
    });
    this.handlers = this.makeHandlers();
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
   * StudioRejectedError. (Electron main validates in IpcManager and calls
   * `handlers` directly; the WebSocket server comes through here.)
   */
  async invoke(channel: unknown, rawArgs: unknown): Promise<unknown> {
    if (!isIpcInvokeChannel(channel)) throw new StudioRejectedError(`Unknown operation "${String(channel)}".`);
    const schema = IPC_INVOKE_ARG_SCHEMAS[channel] as z.ZodType<unknown[]>;
    const parsed = schema.safeParse(rawArgs);
    if (!parsed.success) throw new StudioRejectedError(`Invalid arguments for "${channel}": ${describeArgIssues(parsed.error)}`);
    const fn = this.handlers[channel] as (...args: unknown[]) => Promise<unknown>;
    return fn(...parsed.data);
  }

  /** Stops training (with a checkpoint) and the workers. */
  async dispose(): Promise<void> {
    await this.training.shutdown();
    this.tools.dispose();
    this.listeners.clear();
  }

  // -------------------------------------------------------------------------

  private live(): LiveInfo {
    return { liveRunId: this.training.liveRunId, ownPids: this.training.pids };
  }

  private async existingRunDir(runId: string): Promise<string> {
    const dir = this.paths.runDir(runId);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new StudioError(`Run ${runId} not found.`);
    return dir;
  }

  private async locate(ref: CheckpointRef): Promise<CheckpointLocation> {
    const runDir = await this.existingRunDir(ref.runId);
    const steps = await checkpointSteps(runDir);
    if (steps.length === 0) throw new StudioError(`Run ${ref.runId} has no checkpoint yet.`);
    const step = ref.step ?? steps[steps.length - 1];
    if (!steps.includes(step)) throw new StudioError(`Run ${ref.runId} has no checkpoint at step ${step} (it has ${steps.join(', ')}).`);
    return { runId: ref.runId, runDir, checkpointDir: checkpointDir(runDir, step) };
  }

  /** An output folder: the one asked for (must be allowed), else `<run>/<fallback>`. */
  private async outputDir(dir: string | undefined, runDir: string, fallback: string): Promise<string> {
    const target = dir ? await this.paths.outputPath(dir) : path.join(runDir, fallback);
    await mkdir(target, { recursive: true });
    return target;
  }

  private async loadDatasets(): Promise<void> {
    this.datasetsLoaded ??= (async () => {
      try {
        const list = JSON.parse(await readFile(path.join(this.runsRoot, STATE_DIR, DATASETS_FILE), 'utf8')) as RememberedDataset[];
        for (const d of list) {
          if (!d?.summary?.id) continue;
          this.datasets.set(d.summary.id, d);
          // Folders imported before were chosen by the user then.
          if (d.dir) await this.paths.grant(d.dir, 'dataset');
        }
      } catch {
        // none yet
      }
    })();
    return this.datasetsLoaded;
  }

  private async rememberDataset(summary: DatasetSummary): Promise<void> {
    await this.loadDatasets();
    this.datasets.delete(summary.id);
    this.datasets.set(summary.id, { dir: summary.dir, summary: { ...summary, skipped: summary.skipped.slice(0, 50) } });
    const list = [...this.datasets.values()].slice(-DATASETS_KEPT);
    await writeFileAtomic(path.join(this.runsRoot, STATE_DIR, DATASETS_FILE), JSON.stringify(list, null, 2)).catch(() => undefined);
  }

  private async datasetLocation(id: string): Promise<{ datasetId: string; dir: string | null; options: DatasetSummary['options'] }> {
    await this.loadDatasets();
    const d = this.datasets.get(id);
    if (!d) throw new StudioError('Unknown data set: import it first.');
    return { datasetId: id, dir: d.dir, options: d.summary.options };
  }

  private makeHandlers(): StudioHandlers {
    return {
      'app:info': async () => this.host.appInfo(),

      'studio:info': async () => ({
        app: this.host.appInfo(),
        mode: this.host.mode,
        nativeDialogs: this.host.mode === 'electron' && this.host.pickFolder !== undefined,
        runsRoot: this.runsRoot,
        demoDatasetDir: demoDatasetDir(),
        home: os.homedir(),
        pathSeparator: path.sep,
      }),

      'studio:backends': async () => this.tools.call('probeBackends', {}),

      'config:schema': async () => configSchemaInfo(),
      'config:resolve': async (req) => resolveConfigRequest(req),

      'dialog:pick-folder': async (req) => {
        if (!this.host.pickFolder) throw new StudioError('No native dialogs in browser mode: use the folder browser.');
        const chosen = await this.host.pickFolder(req);
        if (!chosen) return null;
        return this.paths.grant(chosen, req.purpose);
      },

      'fs:list-dir': async (req) => {
        if (this.host.mode === 'electron') throw new StudioRejectedError('The folder browser is for browser mode; use the folder dialog.');
        return listDir(req.path ?? os.homedir(), this.runsRoot);
      },

      'fs:choose-folder': async (req) => {
        if (this.host.mode === 'electron') throw new StudioRejectedError('Choose folders with the folder dialog.');
        if (!path.isAbsolute(req.path)) throw new StudioRejectedError(`Not an absolute path: ${req.path}`);
        const abs = path.resolve(req.path);
        const st = await stat(abs).catch(() => null);
        if (!st) {
          if (!req.create || req.purpose !== 'output') throw new StudioError(`Folder not found: ${abs}`);
          await mkdir(abs, { recursive: true });
        } else if (!st.isDirectory()) throw new StudioError(`Not a folder: ${abs}`);
        return this.paths.grant(abs, req.purpose);
      },

      'shell:open-path': async (req) => {
        const target = req.kind === 'run' ? await this.existingRunDir(req.runId) : await this.paths.viewablePath(req.path);
        if (!existsSync(target)) throw new StudioError(`Not found: ${target}`);
        const opened = this.host.openPath ? await this.host.openPath(target) : false;
        return { path: target, opened };
      },

      'datasets:list': async () => {
        await this.loadDatasets();
        return [...this.datasets.values()].map((d) => d.summary).reverse();
      },

      'datasets:import': async (req) => {
        const dir = req.dir === null ? null : await this.paths.datasetDir(req.dir);
        const summary = await this.tools.call('importDataset', { dir, options: req.options, taskId: req.taskId });
        await this.rememberDataset(summary);
        return summary;
      },

      'datasets:cancel-import': async (req) => {
        this.tools.cancel(req.taskId);
      },

      'datasets:thumbnails': async (req) => this.tools.call('thumbnails', { ...(await this.datasetLocation(req.datasetId)), offset: req.offset, limit: req.limit, size: req.size }),

      'datasets:skipped': async (req) => this.tools.call('skipped', { ...(await this.datasetLocation(req.datasetId)), offset: req.offset, limit: req.limit }),

      'datasets:preview': async (req) => {
        const dir = req.dir === null ? null : await this.paths.datasetDir(req.dir);
        return this.tools.call('preview', { dir, options: req.options, count: req.count, files: req.files, displaySize: req.displaySize, taskId: req.taskId });
      },

      'training:state': async () => this.training.state,

      'training:start': async (req) => {
        const config = TrainConfigSchema.parse(req.config);
        if (config.data.dir !== null) {
          await this.loadDatasets();
          config.data.dir = await this.paths.datasetDir(config.data.dir);
        }
        await mkdir(this.runsRoot, { recursive: true });
        return { jobId: this.training.startNew(config) };
      },

      'training:pause': async () => this.training.pause(),
      'training:resume': async () => this.training.resume(),
      'training:stop': async () => this.training.stop(),

      'training:resume-run': async (req) => {
        const runDir = await this.existingRunDir(req.runId);
        if (this.training.liveRunId === req.runId) throw new StudioError(`Run ${req.runId} is training in this studio already.`);
        // The engine's checks: resumable keys only, steps left, and no other trainer holding the run.
        const plan = await planRun({ mode: 'resume', runDir, changes: req.changes });
        return { jobId: this.training.resumeRun(req.runId, runDir, req.changes ?? {}, plan.config.steps) };
      },

      'runs:list': async () => listRuns(this.runsRoot, this.live()),
      'runs:get': async (req) => {
        await this.existingRunDir(req.runId);
        return runDetail(this.runsRoot, req.runId, this.live());
      },
      'runs:stats': async (req) => {
        const dir = await this.existingRunDir(req.runId);
        return { runId: req.runId, ...(await readRunStats(dir, req.fromStep ?? -1, req.maxPoints)) };
      },
      'runs:sample': async (req) => {
        const dir = await this.existingRunDir(req.runId);
        const step = req.step ?? (await newestSampleStep(dir));
        if (step === null) throw new StudioError(`Run ${req.runId} has no samples yet.`);
        const file = sampleFile(dir, step);
        if (!existsSync(file)) throw new StudioError(`Run ${req.runId} has no sample at step ${step}.`);
        if (req.maxSize) return { runId: req.runId, step, ...(await this.tools.call('sampleImage', { file, maxSize: req.maxSize })) };
        const png = await readFile(file);
        return { runId: req.runId, step, dataUrl: `data:image/png;base64,${png.toString('base64')}`, width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
      },
      'runs:diff': async (req) => {
        const [a, b] = await Promise.all([readRunConfig(await this.existingRunDir(req.a)), readRunConfig(await this.existingRunDir(req.b))]);
        return diffConfigs(a, b);
      },
      'runs:delete': async (req) => {
        const dir = await this.existingRunDir(req.runId);
        if (this.training.liveRunId === req.runId) throw new StudioError(`Run ${req.runId} is training: stop it before deleting it.`);
        const summary = await summarizeRun(this.runsRoot, req.runId, this.live());
        if (summary && (summary.status === 'running' || summary.status === 'paused')) throw new StudioError(`Run ${req.runId} is being trained by another process.`);
        await deleteRun(dir);
        this.emit('runs:changed', { runId: req.runId, reason: 'deleted' });
      },

      'generate:load': async (req) => this.tools.call('loadGenerator', { checkpoint: await this.locate(req.checkpoint) }),
      'generate:images': async (req) =>
        this.tools.call('generateImages', {
          checkpoint: await this.locate(req.checkpoint),
          seeds: req.seeds,
          truncation: req.truncation,
          scale: req.scale,
          class: req.class,
          classes: req.classes,
        }),
      'generate:interpolate': async (req) =>
        this.tools.call('interpolate', {
          checkpoint: await this.locate(req.checkpoint),
          pins: req.pins,
          framesPerSegment: req.framesPerSegment,
          loop: req.loop,
          truncation: req.truncation,
          scale: req.scale,
          class: req.class,
        }),
      'generate:save-image': async (req) => {
        const checkpoint = await this.locate(req.checkpoint);
        const dir = await this.outputDir(req.dir, checkpoint.runDir, 'generated');
        const cls = req.pin.class ?? req.class;
        const file = path.join(dir, req.fileName ?? `seed${req.pin.seed}${cls != null ? `-class${cls}` : ''}-x${req.scale}.png`);
        return this.tools.call('saveImage', { checkpoint, pin: req.pin, truncation: req.truncation, scale: req.scale, class: req.class, file });
      },
      'generate:export-interpolation': async (req) => {
        const checkpoint = await this.locate(req.checkpoint);
        const dir = await this.outputDir(req.dir, checkpoint.runDir, 'generated');
        const base = `interp-${req.pins.map((p) => p.seed).join('-').slice(0, 80)}`;
        const target = path.join(dir, req.name ?? (req.format === 'gif' ? `${base}.gif` : base));
        return this.tools.call('exportInterpolation', { ...req, checkpoint, target });
      },
      'generate:batch': async (req) => {
        const checkpoint = await this.locate(req.checkpoint);
        const dir = req.dir ? await this.outputDir(req.dir, checkpoint.runDir, '') : await this.outputDir(undefined, checkpoint.runDir, path.join('generated', `batch-${req.seed}`));
        return this.tools.call('generateBatch', { checkpoint, count: req.count, seed: req.seed, truncation: req.truncation, scale: req.scale, class: req.class, dir, taskId: req.taskId });
      },
      'generate:save-latents': async (req) => {
        const checkpoint = await this.locate(req.checkpoint);
        const dir = await this.outputDir(req.dir, checkpoint.runDir, 'generated');
        const file = path.join(dir, req.fileName ?? `latents-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
        const { latents: _latents, ...saved } = await this.tools.call('saveLatents', { checkpoint, pins: req.pins, truncation: req.truncation, class: req.class, file });
        return saved;
      },
      'generate:parse-latents': async (req) => parseLatents(req.json),

      'export:web': async (req) => {
        const checkpoint = await this.locate(req.checkpoint);
        const dir = await this.outputDir(req.dir, checkpoint.runDir, 'export-web');
        return this.tools.call('exportWeb', { checkpoint, dir, taskId: req.taskId });
      },
    };
  }
}

// ---------------------------------------------------------------------------

const COUNT_CAP = 10_000;

async function listDir(p: string, runsRoot: string): Promise<DirListing> {
  if (!path.isAbsolute(p)) throw new StudioRejectedError(`Not an absolute path: ${p}`);
  const abs = path.resolve(p);
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StudioError(code === 'ENOENT' ? `Folder not found: ${abs}` : code === 'ENOTDIR' ? `Not a folder: ${abs}` : `Cannot open ${abs}: ${code ?? serializeError(e).message}`);
  }
  let imageCount = 0;
  const dirs: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory() || (e.isSymbolicLink() && (await stat(path.join(abs, e.name)).catch(() => null))?.isDirectory())) dirs.push(e.name);
    else if (imageCount < COUNT_CAP && hasImageExtension(e.name)) imageCount++;
  }
  dirs.sort((a, b) => a.localeCompare(b));
  const out = await Promise.all(
    dirs.map(async (name) => {
      const full = path.join(abs, name);
      let count = 0;
      let hasSubfolders = false;
      try {
        for (const e of await readdir(full, { withFileTypes: true })) {
          if (e.name.startsWith('.')) continue;
          if (e.isDirectory()) hasSubfolders = true;
          else if (count < COUNT_CAP && hasImageExtension(e.name)) count++;
        }
      } catch {
        count = -1;
      }
      return { name, path: full, imageCount: count, hasSubfolders };
    }),
  );
  const parent = path.dirname(abs) === abs ? null : path.dirname(abs);
  const places = [
    { label: 'Home', path: os.homedir() },
    { label: 'Demo data set', path: demoDatasetDir() },
    { label: 'Runs', path: runsRoot },
    { label: 'File system', path: path.parse(abs).root },
  ];
  return { path: await realpathLoose(abs).catch(() => abs), parent, entries: out, imageCount, places };
}

const LatentsFileSchema = z.object({
  format: z.literal('gan-studio-latents'),
  version: z.literal(1),
  latentDim: z.number().int().min(1).max(4096),
  truncation: z.number().min(0).max(2).default(1),
  checkpoint: z.object({ runId: z.string(), step: z.number().int() }).nullable().default(null),
  pins: z
    .array(z.object({ seed: z.number().int().min(0).max(2 ** 31 - 1), z: z.array(z.number().finite()), class: z.number().int().min(0).max(65_535).optional() }))
    .min(1)
    .max(1024),
  savedAt: z.string().default(''),
});

function parseLatents(json: string): LatentsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new StudioError(`Not a JSON file: ${(e as Error).message}`);
  }
  const parsed = LatentsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StudioError(`Not a GAN Studio latents file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const bad = parsed.data.pins.find((p) => p.z.length !== parsed.data.latentDim);
  if (bad) throw new StudioError(`Latents file: pin with seed ${bad.seed} has ${bad.z.length} numbers, expected latentDim ${parsed.data.latentDim}.`);
  return parsed.data as LatentsFile;
}

export { datasetId };
