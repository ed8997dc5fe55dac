/**
 * The typed contract between the studio backend and the renderer.
 *
 * Every operation the renderer may ask for is an "invoke" channel: it appears in
 * `IPC_INVOKE_CHANNELS`, has an entry in `IpcInvokeMap` (argument tuple and
 * result) and a zod schema in `IPC_INVOKE_ARG_SCHEMAS` that the backend uses to
 * validate what arrives (the renderer is untrusted). Every push from the
 * backend to the renderer is an "event" channel with a payload type in
 * `IpcEventMap`.
 *
 * Two transports carry the same contract:
 *  - Electron: the preload script exposes one method per operation as
 *    `window.ganStudio` (`GanStudioApi`); main checks the sender, validates with
 *    the schemas below and calls the StudioBackend (src/studio).
 *  - Browser mode (`gan-studio serve`): a WebSocket carrying the same channels
 *    (src/shared/ws-protocol.ts); the server validates with the same schemas.
 * The renderer gets a `GanStudioApi` from src/renderer/src/api and never knows
 * which transport it is on.
 *
 * To add an operation: add the channel name, its map entry, its schema, a
 * method on `GanStudioApi`, the preload method, the ws client method and the
 * StudioBackend method. The types below make each of those a compile error
 * until it is done. Keep changes additive: the renderer is coded against this.
 *
 * This module is imported by main, the studio backend and the server (values
 * and types), preload and renderer (types only, so zod is not bundled there).
 * Keep it free of Node and DOM APIs.
 *
 * Conventions:
 *  - Every invoke takes zero or one argument: a request object.
 *  - Images travel as PNG (or GIF) data URLs (`data:image/png;base64,…`); the
 *    renderer CSP allows data: images.
 *  - Runs are named by their folder name under the studio's runs root
 *    (`runId`, e.g. "00001-cats"), never by a path.
 *  - Folders the backend reads or writes outside the runs root must have been
 *    chosen by the user in this session: through the native dialog
 *    (`dialog:pick-folder`, desktop) or the folder browser (`fs:choose-folder`,
 *    browser mode). Anything else is refused with an error.
 *  - Long operations take an optional `taskId` (any string the caller makes
 *    up, e.g. crypto.randomUUID()) and report `task:progress` events with it.
 *  - Errors reject the promise with an Error whose message is one line for
 *    the user (e.g. `Invalid option "g.lr" in config: …`).
 */
import { z } from 'zod';
import type { StepStats } from './stats';
import { TrainConfigSchema, type TrainConfig } from './config';
import { RESUMABLE_KEYS, type ResumableKey, type RunStatus } from './run';

// ---------------------------------------------------------------------------
// Invoke channels (renderer -> backend, with a reply)
// ---------------------------------------------------------------------------

export const IPC_INVOKE_CHANNELS = [
  'app:info',
  // studio contract v1
  'studio:info',
  'studio:backends',
  // config
  'config:schema',
  'config:resolve',
  // folders and files
  'dialog:pick-folder',
  'fs:list-dir',
  'fs:choose-folder',
  'shell:open-path',
  // datasets
  'datasets:list',
  'datasets:import',
  'datasets:cancel-import',
  'datasets:thumbnails',
  'datasets:skipped',
  'datasets:preview',
  // training
  'training:state',
  'training:start',
  'training:pause',
  'training:resume',
  'training:stop',
  'training:resume-run',
  // runs
  'runs:list',
  'runs:get',
  'runs:stats',
  'runs:sample',
  'runs:diff',
  'runs:delete',
  // generate
  'generate:load',
  'generate:images',
  'generate:interpolate',
  'generate:save-image',
  'generate:export-interpolation',
  'generate:batch',
  'generate:save-latents',
  'generate:parse-latents',
  // export
  'export:web',
] as const;
export type IpcInvokeChannel = (typeof IPC_INVOKE_CHANNELS)[number];

// ---------------------------------------------------------------------------
// Shared value types
// ---------------------------------------------------------------------------

/** What `app:info` answers: enough to show in an About box or a bug report. */
export interface AppInfo {
  /** Product name, e.g. "GAN Studio". */
  name: string;
  /** The app's own version (package.json). */
  version: string;
  versions: {
    node: string;
    /** '' in browser mode. */
    electron: string;
    /** '' in browser mode. */
    chrome: string;
    v8: string;
  };
  platform: string;
  arch: string;
  /** True when running from a packaged build rather than `npm start`. */
  packaged: boolean;
}

export type StudioMode = 'electron' | 'browser';

/** `studio:info`: where the studio keeps things and what this front end can do. */
export interface StudioInfo {
  app: AppInfo;
  mode: StudioMode;
  /**
   * True in the desktop app: pick folders with `dialog:pick-folder`. False in
   * browser mode: use the folder browser (`fs:list-dir`, `fs:choose-folder`).
   */
  nativeDialogs: boolean;
  /** Absolute folder that holds the run folders. */
  runsRoot: string;
  /** The bundled demo data set (import it with `dir: null`). */
  demoDatasetDir: string;
  /** The user's home folder (a start point for the folder browser). */
  home: string;
  /** Path separator of the backend's OS ('/' or '\\'). */
  pathSeparator: string;
}

export type ConcreteBackend = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** One compute backend, as `gan-studio info` shows it. */
export interface BackendInfo {
  name: ConcreteBackend;
  available: boolean;
  /** "ready", or one line on why not. */
  reason: string;
}

export interface BackendsInfo {
  /** In the order `auto` tries them. */
  backends: BackendInfo[];
  /** What `auto` picks; null when none is available. */
  auto: ConcreteBackend | null;
}

/** One field-group of the config form. */
export interface ConfigGroup {
  /** 'run', 'data', 'model', 'g', 'd', 'ema', 'output', …; nested groups equal the config key. */
  id: string;
  title: string;
  /** One line under the section title. */
  description: string;
  /** Dotted option paths in display order, e.g. ['model.resolution', 'model.baseWidth']. */
  fields: string[];
}

export interface PresetInfo {
  name: string;
  description: string;
  /** The preset resolved with every default: what the form starts from. */
  config: TrainConfig;
}

/** `config:schema`: everything the generated hyperparameter form needs. */
export interface ConfigSchemaInfo {
  /**
   * JSON Schema (draft 2020-12) of the config, input side (defaults present,
   * fields optional), from z.toJSONSchema(TrainConfigSchema). Every property
   * has a `description`: what it does and when it helps.
   */
  jsonSchema: Record<string, unknown>;
  /** Field groups covering every option of jsonSchema. */
  groups: ConfigGroup[];
  presets: PresetInfo[];
  /** The preset a new run starts from. */
  defaultPreset: string;
  /** Options a resumed run may change (`training:resume-run` `changes`). */
  resumableKeys: string[];
}

export interface ConfigIssue {
  /** Dotted option path ('g.lr'), '' for the whole config. */
  path: string;
  message: string;
}

/** `config:resolve`: a config checked against the schema. */
export type ConfigCheck =
  | { ok: true; config: TrainConfig }
  | {
      ok: false;
      /** One line naming the first bad option, as the CLI prints it. */
      error: string;
      /** Every problem, for inline validation next to each field. */
      issues: ConfigIssue[];
    };

/** One entry of the folder browser. */
export interface DirEntry {
  name: string;
  /** Absolute path. */
  path: string;
  /** Files directly inside with an image-like extension (capped at 10000; -1 if unreadable). */
  imageCount: number;
  /** True when it has subfolders (the browser can show an expander). */
  hasSubfolders: boolean;
}

export interface DirListing {
  /** Absolute, normalised path that was listed. */
  path: string;
  /** Parent folder, null at a file-system root. */
  parent: string | null;
  /** Subfolders only (hidden ones left out), sorted by name. */
  entries: DirEntry[];
  /** Image-like files directly in `path` (capped at 10000). */
  imageCount: number;
  /** Handy start points: home, the demo data set, the runs root, file-system roots. */
  places: { label: string; path: string }[];
}

/** Preprocessing that turns a folder into training images (a subset of the config). */
export interface DatasetOptions {
  resolution: number;
  channels: 1 | 3;
  resize: 'crop' | 'pad' | 'stretch';
  /** '#rrggbb'. */
  background: string;
  minSize: number;
}

export interface SkippedFileInfo {
  /** Path relative to the dataset folder, '/'-separated. Folders end with '/'. */
  file: string;
  /** Why it was skipped, one line. */
  reason: string;
}

/** An imported data set: statistics and the report. */
export interface DatasetSummary {
  /** Handle for `datasets:thumbnails` / `datasets:skipped`; stable for the same folder and options. */
  id: string;
  /** Absolute folder; null for the bundled demo set. */
  dir: string | null;
  /** The folder actually read (the demo set's path when dir is null). */
  root: string;
  options: DatasetOptions;
  /** Images imported. */
  count: number;
  filesSeen: number;
  /** Hidden files and OS clutter ignored. */
  ignored: number;
  /** Total skipped files (the first ≤ 200 are in `skipped`; page the rest with `datasets:skipped`). */
  skippedCount: number;
  skipped: SkippedFileInfo[];
  classNames: string[];
  classCounts: number[];
  /** Source dimensions of the imported images; null when none. */
  sourceSizes: { minWidth: number; maxWidth: number; minHeight: number; maxHeight: number } | null;
  /** Source colour layout counts. */
  sourceChannels: { gray: number; grayAlpha: number; rgb: number; rgba: number; other: number };
  /** Images per source format (png, jpeg, …). */
  formats: Record<string, number>;
  /** What was done to every image, in words. */
  preprocessing: string;
  warnings: string[];
  fromCache: boolean;
  durationMs: number;
  /** ISO time of the import. */
  importedAt: string;
}

export interface ThumbnailPage {
  datasetId: string;
  /** Images in the whole data set. */
  total: number;
  offset: number;
  /** In index order from `offset`; fewer than asked at the end. */
  items: { index: number; label: number; dataUrl: string }[];
  /** Side of every thumbnail, in pixels. */
  size: number;
}

export interface PreviewItem {
  /** Path relative to the folder. */
  file: string;
  /** Source size (after EXIF orientation). */
  width: number;
  height: number;
  /** The file as it is, scaled to fit `displaySize` (PNG data URL). */
  original: string;
  /** What training sees: preprocessed at the given options, shown at `displaySize` with nearest-neighbour scaling. */
  processed: string;
  /** null when the file is fine; else why it would be skipped (then `processed` is ''). */
  error: string | null;
}

export interface PreviewResult {
  root: string;
  /** Image-like files found (all of the folder, recursively). */
  totalFiles: number;
  items: PreviewItem[];
}

export type { StepStats } from './stats';

/** Status of a run (see src/shared/run.ts); resume an `interrupted` one with `training:resume-run`. */
export type { RunStatus } from './run';

export interface RunSummary {
  id: string;
  name: string;
  /** Absolute path of the run folder. */
  dir: string;
  status: RunStatus;
  /** Error line of a failed run. */
  error: string | null;
  /**
   * What is wrong with a damaged or half-made run folder (no or a broken
   * config.json), null for a sound run. Such a run is listed so it can be
   * deleted; it cannot be resumed, and `runs:get` refuses it with this line.
   */
  problem: string | null;
  preset: string;
  /** Last step reached (from status.json or the newest checkpoint). */
  step: number;
  /** Steps the run is set to train. */
  steps: number;
  resolution: number;
  channels: number;
  backend: string;
  /** Data folder; null for the demo set. */
  dataDir: string | null;
  createdAt: string;
  updatedAt: string;
  /** Step of the newest sample grid (`runs:sample` fetches it), null when none. */
  lastSampleStep: number | null;
  /** Step of the newest checkpoint, null when none. */
  lastCheckpointStep: number | null;
  checkpointCount: number;
  /** A training process is working on it right now. */
  live: boolean;
  /** True when `training:resume-run` can continue it (not live, has steps left or can train more). */
  resumable: boolean;
}

export interface CheckpointInfo {
  step: number;
  savedAt: string | null;
  backend: string | null;
  /** Step of the sample grid closest to (at or before) this checkpoint, for its thumbnail; null when none. */
  sampleStep: number | null;
}

export interface RunDetail {
  summary: RunSummary;
  config: TrainConfig;
  /** The dataset import report saved with the run; null when missing. */
  importReport: {
    root: string;
    imported: number;
    skipped: SkippedFileInfo[];
    classNames: string[];
    classCounts: number[];
    preprocessing: string;
  } | null;
  /** Every step with a saved sample grid, ascending (the timeline slider). */
  sampleSteps: number[];
  checkpoints: CheckpointInfo[];
}

export interface RunStatsResult {
  runId: string;
  /** Ascending by step. With `maxPoints`, evenly thinned (always keeps the last). */
  stats: StepStats[];
  /** Lines in stats.jsonl from `fromStep` on, before thinning. */
  total: number;
}

export interface SampleImage {
  runId: string;
  step: number;
  dataUrl: string;
  width: number;
  height: number;
}

export interface ConfigDiffEntry {
  /** Dotted option path. */
  path: string;
  a: unknown;
  b: unknown;
}

/** Which checkpoint of which run: the newest when `step` is null or left out. */
export interface CheckpointRef {
  runId: string;
  step?: number | null;
}

/** A loaded generator (`generate:load`). */
export interface GeneratorMeta {
  runId: string;
  step: number;
  latentDim: number;
  resolution: number;
  channels: number;
  /** The EMA copy of G (smoother) rather than G itself. */
  ema: boolean;
  /**
   * Classes a conditional generator takes (runs trained with
   * conditional.enabled); 0 for an unconditional one. Class indices are
   * 0..numClasses−1.
   */
  numClasses: number;
  /** The data set's class names (subfolders), index = class; may be empty or shorter than numClasses. */
  classNames: string[];
  preset: string;
}

/**
 * A pinned latent: a seed (z = N(0, 1) from the seed, as `gan-studio
 * generate --seed` makes its first image) or an explicit z loaded from a
 * latents file.
 */
export interface Pin {
  seed: number;
  /** latentDim numbers; when present it wins over the seed. */
  z?: number[];
  /**
   * Conditional generators: the pin's class (an index < numClasses). Absent or
   * null: the request's `class`, else class 0. Ignored by unconditional generators.
   */
  class?: number | null;
}

export interface GeneratedImage {
  seed: number;
  /** The class it was generated with (conditional generators); null for an unconditional generator. */
  class: number | null;
  dataUrl: string;
}

export interface GeneratedImages {
  meta: GeneratorMeta;
  /** One per requested seed, same order. */
  images: GeneratedImage[];
  /** Side of each image in pixels (after `scale`). */
  size: number;
}

export interface InterpolationFrames {
  meta: GeneratorMeta;
  /** Frames in order: segment by segment between consecutive pins (and back to the first with `loop`). */
  frames: string[];
  size: number;
}

/** A file the backend wrote; `dataUrl` is there for small files so browser mode can offer a download. */
export interface SavedFile {
  path: string;
  dataUrl: string | null;
  bytes: number;
}

export interface SavedFolder {
  path: string;
  files: number;
}

/** The pinned-latents JSON file: reproduces a result exactly. */
export interface LatentsFile {
  format: 'gan-studio-latents';
  version: 1;
  latentDim: number;
  truncation: number;
  /** Where they were pinned (informational). */
  checkpoint: { runId: string; step: number } | null;
  /** `class` only for pins of a conditional generator. */
  pins: { seed: number; z: number[]; class?: number }[];
  savedAt: string;
}

/** What `export:web` wrote. */
export interface WebExportResult {
  dir: string;
  files: string[];
  latentDim: number;
  resolution: number;
  channels: number;
  step: number;
  ema: boolean;
}

// ---------------------------------------------------------------------------
// Training state and events
// ---------------------------------------------------------------------------

export type TrainingPhase = 'idle' | 'importing' | 'starting' | 'running' | 'paused' | 'stopping';

/** `training:state` and the `training:state` event: the one training job the studio runs at a time. */
export interface TrainingState {
  phase: TrainingPhase;
  /** Id of the current job, null when idle. */
  jobId: string | null;
  /** Run folder id; null while a new run is still importing its data. */
  runId: string | null;
  step: number;
  steps: number;
  /** Backend the job trains on, once known. */
  backend: string | null;
  /** Dataset import progress while importing. */
  importProgress: { phase: 'scan' | 'decode' | 'cache'; done: number; total: number } | null;
  /** ms since the epoch when the job started. */
  startedAt: number | null;
  /** Steps trained since this job started, for the ETA. */
  stepsThisJob: number;
}

export type TrainingEvent =
  | { type: 'import-progress'; jobId: string; phase: 'scan' | 'decode' | 'cache'; done: number; total: number }
  | { type: 'imported'; jobId: string; dataset: DatasetSummary }
  | { type: 'started'; jobId: string; runId: string; step: number; steps: number; backend: string; resumedFrom: number | null }
  /** Steps since the previous event, batched (at most a few events per second). */
  | { type: 'steps'; jobId: string; runId: string; stats: StepStats[] }
  | { type: 'sample'; jobId: string; runId: string; step: number; dataUrl: string }
  | { type: 'checkpoint'; jobId: string; runId: string; step: number }
  | { type: 'warning'; jobId: string; runId: string | null; message: string }
  | { type: 'paused'; jobId: string; runId: string; step: number }
  | { type: 'resumed'; jobId: string; runId: string; step: number }
  | { type: 'done'; jobId: string; runId: string; step: number; status: 'finished' | 'stopped' }
  /** Training failed with an error the user can read (bad data, divergence, …); the process ended cleanly. */
  | { type: 'error'; jobId: string; runId: string | null; message: string }
  /**
   * The training process died (crash, out of memory, killed). `reason` is one
   * line for the user; the run can continue from `lastCheckpointStep` with
   * `training:resume-run` when `canResume`.
   */
  | {
      type: 'died';
      jobId: string;
      runId: string | null;
      reason: string;
      exitCode: number | null;
      signal: string | null;
      lastCheckpointStep: number | null;
      canResume: boolean;
    };

export type TaskKind = 'import' | 'preview' | 'export' | 'generate' | 'interpolation';

/** Progress of a long operation that was given a `taskId`. */
export interface TaskProgress {
  taskId: string;
  kind: TaskKind;
  /** e.g. 'scan', 'decode', 'cache', 'load', 'write', 'encode'. */
  phase: string;
  done: number;
  total: number;
}

export interface RunsChanged {
  /** null: the whole list may have changed. */
  runId: string | null;
  reason: 'created' | 'updated' | 'deleted';
}

/** Browser mode's link to the server (always connected in the desktop app). */
export interface ConnectionState {
  connected: boolean;
  /** Reconnect attempts since the link dropped (0 when connected). */
  attempt: number;
  /** Why the link is down, when it is. */
  error: string | null;
}

// ---------------------------------------------------------------------------
// Request schemas (validated by the backend on every call)
// ---------------------------------------------------------------------------

const runId = z
  .string()
  .regex(/^\d{5,}-[\w.-]{1,64}$/, 'not a run id (a run folder name like 00001-run)');
const absPath = z.string().min(1).max(4096);
const taskId = z.string().min(1).max(100).optional();
const fileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|\0]+$/, 'a plain file name, without folders')
  .refine((s) => s !== '.' && s !== '..', 'a plain file name, without folders');
const seed = z.number().int().min(0).max(2 ** 31 - 1);
const truncation = z.number().min(0).max(2).default(1);
const scale = z.number().int().min(1).max(16).default(1);
/**
 * A class of a conditional generator (an index; the tools worker checks it is
 * below the generator's numClasses and names the classes otherwise).
 */
const classIndex = z.number().int().min(0).max(65_535);
/**
 * The request's class for a conditional generator. Null or left out: grids and
 * batches cycle through the classes (image i gets class i mod numClasses);
 * single images, pins and interpolation use class 0. Unconditional generators
 * reject a class.
 */
const requestClass = classIndex.nullable().optional();

export const DatasetOptionsSchema = z
  .object({
    resolution: z.number().int().min(8).max(1024),
    channels: z.union([z.literal(1), z.literal(3)]),
    resize: z.enum(['crop', 'pad', 'stretch']),
    background: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #ffffff'),
    minSize: z.number().int().min(1).max(4096),
  })
  .strict();

export const CheckpointRefSchema = z.object({ runId, step: z.number().int().min(0).nullable().optional() }).strict();

export const PinSchema = z
  .object({ seed, z: z.array(z.number().finite()).min(1).max(4096).optional(), class: classIndex.nullable().optional() })
  .strict();

export const ConfigResolveRequestSchema = z
  .object({
    /** Start from this preset (schema defaults when left out). */
    preset: z.string().max(100).optional(),
    /** A full or partial config (the form's values); merged over the preset. */
    config: z.record(z.string(), z.unknown()).optional(),
    /** `key=value` strings as on the command line, applied last. */
    sets: z.array(z.string().max(1000)).max(200).optional(),
  })
  .strict();
export type ConfigResolveRequest = z.infer<typeof ConfigResolveRequestSchema>;

export const PickFolderRequestSchema = z
  .object({
    title: z.string().max(200).optional(),
    /** What the folder is for: 'dataset' (read) or 'output' (write; the dialog may offer to create one). */
    purpose: z.enum(['dataset', 'output']),
  })
  .strict();
export type PickFolderRequest = z.infer<typeof PickFolderRequestSchema>;

export const ListDirRequestSchema = z.object({ path: absPath.optional() }).strict();
export type ListDirRequest = z.infer<typeof ListDirRequestSchema>;

export const ChooseFolderRequestSchema = z
  .object({ path: absPath, purpose: z.enum(['dataset', 'output']), create: z.boolean().optional() })
  .strict();
export type ChooseFolderRequest = z.infer<typeof ChooseFolderRequestSchema>;

export const OpenPathRequestSchema = z.union([
  z.object({ kind: z.literal('run'), runId }).strict(),
  z.object({ kind: z.literal('path'), path: absPath }).strict(),
]);
export type OpenPathRequest = z.infer<typeof OpenPathRequestSchema>;

export const DatasetImportRequestSchema = z
  .object({
    /** A chosen folder; null for the bundled demo set. */
    dir: absPath.nullable(),
    options: DatasetOptionsSchema,
    taskId,
  })
  .strict();
export type DatasetImportRequest = z.infer<typeof DatasetImportRequestSchema>;

export const CancelImportRequestSchema = z.object({ taskId: z.string().min(1).max(100) }).strict();
export type CancelImportRequest = z.infer<typeof CancelImportRequestSchema>;

export const ThumbnailsRequestSchema = z
  .object({
    datasetId: z.string().min(1).max(200),
    offset: z.number().int().min(0),
    /** At most 1000 per page. */
    limit: z.number().int().min(1).max(1000),
    /** Side in pixels (default: the dataset resolution capped to 96). */
    size: z.number().int().min(8).max(256).optional(),
  })
  .strict();
export type ThumbnailsRequest = z.infer<typeof ThumbnailsRequestSchema>;

export const SkippedRequestSchema = z
  .object({ datasetId: z.string().min(1).max(200), offset: z.number().int().min(0), limit: z.number().int().min(1).max(5000) })
  .strict();
export type SkippedRequest = z.infer<typeof SkippedRequestSchema>;

export const PreviewRequestSchema = z
  .object({
    dir: absPath.nullable(),
    options: DatasetOptionsSchema,
    /** How many files (spread evenly over the folder). */
    count: z.number().int().min(1).max(24).default(6),
    /** Specific files (relative paths) instead of an even spread. */
    files: z.array(z.string().max(4096)).max(24).optional(),
    /** Side of the preview images in pixels. */
    displaySize: z.number().int().min(32).max(512).default(160),
    taskId,
  })
  .strict();
export type PreviewRequest = z.input<typeof PreviewRequestSchema>;

export const TrainingStartRequestSchema = z
  .object({
    /** The config to train (validated with the engine's TrainConfigSchema). `data.dir` must be a chosen folder or null (demo). */
    config: TrainConfigSchema,
  })
  .strict();
export type TrainingStartRequest = z.input<typeof TrainingStartRequestSchema>;

type ConfigShape = typeof TrainConfigSchema.shape;
/** The config's own checks for the resumable keys, each optional (no default: a missing key keeps the run's value). */
const resumableShape = Object.fromEntries(RESUMABLE_KEYS.map((k) => [k, TrainConfigSchema.shape[k].unwrap().optional()])) as {
  [K in ResumableKey]: z.ZodOptional<ReturnType<ConfigShape[K]['unwrap']>>;
};
export const ResumableChangesSchema = z.object(resumableShape).strict();
export type ResumableChanges = z.infer<typeof ResumableChangesSchema>;

export const ResumeRunRequestSchema = z.object({ runId, changes: ResumableChangesSchema.optional() }).strict();
export type ResumeRunRequest = z.infer<typeof ResumeRunRequestSchema>;

export const RunIdRequestSchema = z.object({ runId }).strict();
export type RunIdRequest = z.infer<typeof RunIdRequestSchema>;

export const RunStatsRequestSchema = z
  .object({
    runId,
    /** Only steps > fromStep (for incremental updates). */
    fromStep: z.number().int().min(0).optional(),
    /** Thin evenly to at most this many points. */
    maxPoints: z.number().int().min(10).max(1_000_000).optional(),
  })
  .strict();
export type RunStatsRequest = z.infer<typeof RunStatsRequestSchema>;

export const RunSampleRequestSchema = z
  .object({
    runId,
    /** Newest when left out. */
    step: z.number().int().min(0).optional(),
    /** Downscale so the longer side is at most this (thumbnails). */
    maxSize: z.number().int().min(16).max(4096).optional(),
  })
  .strict();
export type RunSampleRequest = z.infer<typeof RunSampleRequestSchema>;

export const RunDiffRequestSchema = z.object({ a: runId, b: runId }).strict();
export type RunDiffRequest = z.infer<typeof RunDiffRequestSchema>;

export const GenerateLoadRequestSchema = z.object({ checkpoint: CheckpointRefSchema }).strict();
export type GenerateLoadRequest = z.infer<typeof GenerateLoadRequestSchema>;

export const GenerateImagesRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    /** One image per seed (at most 256). */
    seeds: z.array(seed).min(1).max(256),
    /** ψ: z is scaled by ψ toward the mean (1 = no truncation; lower = safer, less varied). */
    truncation,
    scale,
    /** Conditional generators: one class for every image; null or left out: image i gets class i mod numClasses. */
    class: requestClass,
    /** Conditional generators: one class per seed (same length as seeds); wins over `class`. */
    classes: z.array(classIndex).min(1).max(256).optional(),
  })
  .strict()
  .refine((r) => !r.classes || r.classes.length === r.seeds.length, { message: 'classes must have one class per seed', path: ['classes'] });
export type GenerateImagesRequest = z.input<typeof GenerateImagesRequestSchema>;

const interpolationFields = {
  checkpoint: CheckpointRefSchema,
  /** Two or more pins, interpolated in order with slerp. */
  pins: z.array(PinSchema).min(2).max(64),
  /** Frames per segment between two pins (the end pin is the next segment's first frame). */
  framesPerSegment: z.number().int().min(2).max(240).default(24),
  /** Return from the last pin to the first (a seamless loop). */
  loop: z.boolean().default(true),
  truncation,
  scale,
  /**
   * Conditional generators: the class of pins that carry none (default 0).
   * A segment between pins of two classes switches class halfway.
   */
  class: requestClass,
};

export const InterpolateRequestSchema = z.object(interpolationFields).strict();
export type InterpolateRequest = z.input<typeof InterpolateRequestSchema>;

export const SaveImageRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    pin: PinSchema,
    truncation,
    /** Conditional generators: the class when the pin carries none (default 0). */
    class: requestClass,
    /** Integer nearest-neighbour upscale. */
    scale: z.number().int().min(1).max(32).default(4),
    /** A chosen folder; default: `<run>/generated/`. */
    dir: absPath.optional(),
    /** Default: `seed<seed>-x<scale>.png`. */
    fileName: fileName.optional(),
  })
  .strict();
export type SaveImageRequest = z.input<typeof SaveImageRequestSchema>;

export const ExportInterpolationRequestSchema = z
  .object({
    ...interpolationFields,
    format: z.enum(['gif', 'png-sequence']),
    /** Frames per second of the GIF. */
    fps: z.number().int().min(1).max(60).default(24),
    /** A chosen folder; default: `<run>/generated/`. */
    dir: absPath.optional(),
    /** GIF file name, or the PNG sequence's folder name. Default: `interp-<seeds>.gif` / `interp-<seeds>/`. */
    name: fileName.optional(),
    taskId,
  })
  .strict();
export type ExportInterpolationRequest = z.input<typeof ExportInterpolationRequestSchema>;

export const GenerateBatchRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    count: z.number().int().min(1).max(100_000),
    /** Image i uses seed `seed + i`. */
    seed,
    truncation,
    scale,
    /** Conditional generators: one class for all; null or left out: image i gets class i mod numClasses. */
    class: requestClass,
    /** A chosen folder; default: `<run>/generated/batch-<seed>/`. */
    dir: absPath.optional(),
    taskId,
  })
  .strict();
export type GenerateBatchRequest = z.input<typeof GenerateBatchRequestSchema>;

export const SaveLatentsRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    pins: z.array(PinSchema).min(1).max(1024),
    truncation,
    /** Conditional generators: the class written for pins that carry none (default 0). */
    class: requestClass,
    dir: absPath.optional(),
    /** Default: `latents-<time>.json`. */
    fileName: fileName.optional(),
  })
  .strict();
export type SaveLatentsRequest = z.input<typeof SaveLatentsRequestSchema>;

export const ParseLatentsRequestSchema = z.object({ json: z.string().max(64 * 1024 * 1024) }).strict();
export type ParseLatentsRequest = z.infer<typeof ParseLatentsRequestSchema>;

export const WebExportRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    /** A chosen folder; default: `<run>/export-web/`. */
    dir: absPath.optional(),
    taskId,
  })
  .strict();
export type WebExportRequest = z.infer<typeof WebExportRequestSchema>;

// ---------------------------------------------------------------------------
// The invoke map
// ---------------------------------------------------------------------------

/** Argument tuple and result of every invoke channel. */
export interface IpcInvokeMap {
  'app:info': { args: []; result: AppInfo };
  'studio:info': { args: []; result: StudioInfo };
  /** Probes every compute backend (slow the first time: it loads them). */
  'studio:backends': { args: []; result: BackendsInfo };

  'config:schema': { args: []; result: ConfigSchemaInfo };
  /** Preset < config < sets, validated. Never rejects for a bad config: answers ok: false with the issues. */
  'config:resolve': { args: [ConfigResolveRequest]; result: ConfigCheck };

  /** Desktop: the native folder dialog; the folder is then allowed. Null when cancelled. Browser mode: rejects (use the folder browser). */
  'dialog:pick-folder': { args: [PickFolderRequest]; result: string | null };
  /** Browser mode's folder browser: the subfolders of a folder (home when left out). Desktop: rejects. */
  'fs:list-dir': { args: [ListDirRequest]; result: DirListing };
  /** Browser mode: the user chose this folder in the folder browser; it is then allowed. Returns the normalised path. */
  'fs:choose-folder': { args: [ChooseFolderRequest]; result: string };
  /** Desktop: opens a run folder or an allowed folder in the system file manager. Both: answers the path (show it in browser mode). */
  'shell:open-path': { args: [OpenPathRequest]; result: { path: string; opened: boolean } };

  /** Data sets imported before (newest first), as remembered in the runs root. */
  'datasets:list': { args: []; result: DatasetSummary[] };
  /** Imports (or loads from the cache) a chosen folder; progress as `task:progress` kind 'import'. */
  'datasets:import': { args: [DatasetImportRequest]; result: DatasetSummary };
  'datasets:cancel-import': { args: [CancelImportRequest]; result: void };
  /** A page of thumbnails of the preprocessed images (for the virtualized grid). */
  'datasets:thumbnails': { args: [ThumbnailsRequest]; result: ThumbnailPage };
  /** A page of the skipped-files report. */
  'datasets:skipped': { args: [SkippedRequest]; result: { total: number; items: SkippedFileInfo[] } };
  /** Original vs preprocessed, side by side, for a few files of a folder. */
  'datasets:preview': { args: [PreviewRequest]; result: PreviewResult };

  'training:state': { args: []; result: TrainingState };
  /** Starts a new run in a training process. One job at a time: rejects while one is active. */
  'training:start': { args: [TrainingStartRequest]; result: { jobId: string } };
  /** Pauses between steps (the process keeps its state). */
  'training:pause': { args: []; result: TrainingState };
  /** Continues a paused job. */
  'training:resume': { args: []; result: TrainingState };
  /** Stops after the current step with a checkpoint; `done` (status 'stopped') follows. */
  'training:stop': { args: []; result: TrainingState };
  /** Continues a run from its newest checkpoint in a new training process (also after the process died). */
  'training:resume-run': { args: [ResumeRunRequest]; result: { jobId: string } };

  'runs:list': { args: []; result: RunSummary[] };
  'runs:get': { args: [RunIdRequest]; result: RunDetail };
  'runs:stats': { args: [RunStatsRequest]; result: RunStatsResult };
  'runs:sample': { args: [RunSampleRequest]; result: SampleImage };
  /** Options that differ between two runs' configs (dotted paths, sorted). */
  'runs:diff': { args: [RunDiffRequest]; result: ConfigDiffEntry[] };
  /** Deletes a run folder (the UI asks for confirmation first). Rejects while it trains. */
  'runs:delete': { args: [RunIdRequest]; result: void };

  'generate:load': { args: [GenerateLoadRequest]; result: GeneratorMeta };
  'generate:images': { args: [GenerateImagesRequest]; result: GeneratedImages };
  'generate:interpolate': { args: [InterpolateRequest]; result: InterpolationFrames };
  'generate:save-image': { args: [SaveImageRequest]; result: SavedFile };
  /** GIF (a file) or PNG sequence (a folder of frame-0000.png …). */
  'generate:export-interpolation': { args: [ExportInterpolationRequest]; result: SavedFile | SavedFolder };
  /** N images to a folder, as `gan-studio generate` does. */
  'generate:batch': { args: [GenerateBatchRequest]; result: SavedFolder };
  'generate:save-latents': { args: [SaveLatentsRequest]; result: SavedFile };
  /** Checks a latents JSON (e.g. read with <input type=file>) and returns it normalised. */
  'generate:parse-latents': { args: [ParseLatentsRequest]; result: LatentsFile };

  /** TensorFlow.js web export; progress as `task:progress` kind 'export'. */
  'export:web': { args: [WebExportRequest]; result: WebExportResult };
}

/**
 * Zod schemas for the arguments of every invoke channel, as a tuple of
 * everything after the IPC event. The backend rejects a call whose arguments
 * do not parse, so a compromised renderer cannot hand the engine arbitrary
 * objects. Handlers receive the parsed (defaults filled) values.
 */
export const IPC_INVOKE_ARG_SCHEMAS = {
  'app:info': z.tuple([]),
  'studio:info': z.tuple([]),
  'studio:backends': z.tuple([]),
  'config:schema': z.tuple([]),
  'config:resolve': z.tuple([ConfigResolveRequestSchema]),
  'dialog:pick-folder': z.tuple([PickFolderRequestSchema]),
  'fs:list-dir': z.tuple([ListDirRequestSchema]),
  'fs:choose-folder': z.tuple([ChooseFolderRequestSchema]),
  'shell:open-path': z.tuple([OpenPathRequestSchema]),
  'datasets:list': z.tuple([]),
  'datasets:import': z.tuple([DatasetImportRequestSchema]),
  'datasets:cancel-import': z.tuple([CancelImportRequestSchema]),
  'datasets:thumbnails': z.tuple([ThumbnailsRequestSchema]),
  'datasets:skipped': z.tuple([SkippedRequestSchema]),
  'datasets:preview': z.tuple([PreviewRequestSchema]),
  'training:state': z.tuple([]),
  'training:start': z.tuple([TrainingStartRequestSchema]),
  'training:pause': z.tuple([]),
  'training:resume': z.tuple([]),
  'training:stop': z.tuple([]),
  'training:resume-run': z.tuple([ResumeRunRequestSchema]),
  'runs:list': z.tuple([]),
  'runs:get': z.tuple([RunIdRequestSchema]),
  'runs:stats': z.tuple([RunStatsRequestSchema]),
  'runs:sample': z.tuple([RunSampleRequestSchema]),
  'runs:diff': z.tuple([RunDiffRequestSchema]),
  'runs:delete': z.tuple([RunIdRequestSchema]),
  'generate:load': z.tuple([GenerateLoadRequestSchema]),
  'generate:images': z.tuple([GenerateImagesRequestSchema]),
  'generate:interpolate': z.tuple([InterpolateRequestSchema]),
  'generate:save-image': z.tuple([SaveImageRequestSchema]),
  'generate:export-interpolation': z.tuple([ExportInterpolationRequestSchema]),
  'generate:batch': z.tuple([GenerateBatchRequestSchema]),
  'generate:save-latents': z.tuple([SaveLatentsRequestSchema]),
  'generate:parse-latents': z.tuple([ParseLatentsRequestSchema]),
  'export:web': z.tuple([WebExportRequestSchema]),
} as const satisfies { [C in IpcInvokeChannel]: z.ZodType<unknown, IpcInvokeMap[C]['args']> };

export type IpcInvokeArgs<C extends IpcInvokeChannel> = IpcInvokeMap[C]['args'];
export type IpcInvokeResult<C extends IpcInvokeChannel> = IpcInvokeMap[C]['result'];
/** What a handler receives: the arguments after zod parsing (defaults filled in). */
export type IpcParsedArgs<C extends IpcInvokeChannel> = z.output<(typeof IPC_INVOKE_ARG_SCHEMAS)[C]>;

// ---------------------------------------------------------------------------
// Event channels (backend -> renderer, fire and forget)
// ---------------------------------------------------------------------------

export const IPC_EVENT_CHANNELS = ['window:focus-changed', 'training:event', 'training:state', 'task:progress', 'runs:changed'] as const;
export type IpcEventChannel = (typeof IPC_EVENT_CHANNELS)[number];

/** Payload of every event channel. */
export interface IpcEventMap {
  'window:focus-changed': { focused: boolean };
  'training:event': TrainingEvent;
  'training:state': TrainingState;
  'task:progress': TaskProgress;
  'runs:changed': RunsChanged;
}

export type IpcEventPayload<E extends IpcEventChannel> = IpcEventMap[E];

// ---------------------------------------------------------------------------
// The API the renderer uses (`window.ganStudio` in Electron, the WebSocket client in browser mode)
// ---------------------------------------------------------------------------

/** Removes the listener it was returned for. Safe to call more than once. */
export type Unsubscribe = () => void;

type Req<C extends IpcInvokeChannel> = IpcInvokeArgs<C>[0];
type Res<C extends IpcInvokeChannel> = Promise<IpcInvokeResult<C>>;

export interface GanStudioApi {
  /** Versions and platform of the running app. */
  appInfo(): Res<'app:info'>;
  studioInfo(): Res<'studio:info'>;
  backends(): Res<'studio:backends'>;

  configSchema(): Res<'config:schema'>;
  resolveConfig(request: Req<'config:resolve'>): Res<'config:resolve'>;

  pickFolder(request: Req<'dialog:pick-folder'>): Res<'dialog:pick-folder'>;
  listDir(request: Req<'fs:list-dir'>): Res<'fs:list-dir'>;
  chooseFolder(request: Req<'fs:choose-folder'>): Res<'fs:choose-folder'>;
  openPath(request: Req<'shell:open-path'>): Res<'shell:open-path'>;

  listDatasets(): Res<'datasets:list'>;
  importDataset(request: Req<'datasets:import'>): Res<'datasets:import'>;
  cancelImport(request: Req<'datasets:cancel-import'>): Res<'datasets:cancel-import'>;
  datasetThumbnails(request: Req<'datasets:thumbnails'>): Res<'datasets:thumbnails'>;
  datasetSkipped(request: Req<'datasets:skipped'>): Res<'datasets:skipped'>;
  previewPreprocessing(request: Req<'datasets:preview'>): Res<'datasets:preview'>;

  trainingState(): Res<'training:state'>;
  startTraining(request: Req<'training:start'>): Res<'training:start'>;
  pauseTraining(): Res<'training:pause'>;
  resumeTraining(): Res<'training:resume'>;
  stopTraining(): Res<'training:stop'>;
  resumeRun(request: Req<'training:resume-run'>): Res<'training:resume-run'>;

  listRuns(): Res<'runs:list'>;
  getRun(request: Req<'runs:get'>): Res<'runs:get'>;
  runStats(request: Req<'runs:stats'>): Res<'runs:stats'>;
  runSample(request: Req<'runs:sample'>): Res<'runs:sample'>;
  diffRuns(request: Req<'runs:diff'>): Res<'runs:diff'>;
  deleteRun(request: Req<'runs:delete'>): Res<'runs:delete'>;

  loadGenerator(request: Req<'generate:load'>): Res<'generate:load'>;
  generateImages(request: Req<'generate:images'>): Res<'generate:images'>;
  interpolate(request: Req<'generate:interpolate'>): Res<'generate:interpolate'>;
  saveImage(request: Req<'generate:save-image'>): Res<'generate:save-image'>;
  exportInterpolation(request: Req<'generate:export-interpolation'>): Res<'generate:export-interpolation'>;
  generateBatch(request: Req<'generate:batch'>): Res<'generate:batch'>;
  saveLatents(request: Req<'generate:save-latents'>): Res<'generate:save-latents'>;
  parseLatents(request: Req<'generate:parse-latents'>): Res<'generate:parse-latents'>;

  exportWeb(request: Req<'export:web'>): Res<'export:web'>;

  /** Called when the app window gains or loses focus (desktop only). */
  onWindowFocusChanged(listener: (payload: IpcEventMap['window:focus-changed']) => void): Unsubscribe;
  onTrainingEvent(listener: (payload: IpcEventMap['training:event']) => void): Unsubscribe;
  onTrainingState(listener: (payload: IpcEventMap['training:state']) => void): Unsubscribe;
  onTaskProgress(listener: (payload: IpcEventMap['task:progress']) => void): Unsubscribe;
  onRunsChanged(listener: (payload: IpcEventMap['runs:changed']) => void): Unsubscribe;
  /** The link to the backend (browser mode reconnects on its own); called at once with the current state. */
  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe;
}

export function isIpcInvokeChannel(value: unknown): value is IpcInvokeChannel {
  return typeof value === 'string' && (IPC_INVOKE_CHANNELS as readonly string[]).includes(value);
}

export function isIpcEventChannel(value: unknown): value is IpcEventChannel {
  return typeof value === 'string' && (IPC_EVENT_CHANNELS as readonly string[]).includes(value);
}
