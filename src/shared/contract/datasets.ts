/** Data sets: importing a folder, its statistics, thumbnails, skipped files and a preprocessing preview. */
import { z } from 'zod';
import { absPath, taskId } from './common';
import { returns, type OperationTable } from './operation';

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
  /**
   * Set when the import failed for want of usable images (count is 0): its
   * one-line error. The summary still carries the report (skipped files and
   * why), so it can be read and is remembered like any import.
   */
  error?: string;
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

export const DatasetOptionsSchema = z
  .object({
    resolution: z.number().int().min(8).max(1024),
    channels: z.union([z.literal(1), z.literal(3)]),
    resize: z.enum(['crop', 'pad', 'stretch']),
    background: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #ffffff'),
    minSize: z.number().int().min(1).max(4096),
  })
  .strict();

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
  .object({
    datasetId: z.string().min(1).max(200),
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(5000),
  })
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

export const datasetsOperations = {
  /** Data sets imported before (newest first), as remembered in the runs root. */
  'datasets:list': { method: 'listDatasets', request: undefined, result: returns<DatasetSummary[]>() },
  /** Imports (or loads from the cache) a chosen folder; progress as `task:progress` kind 'import'. */
  'datasets:import': {
    method: 'importDataset',
    request: DatasetImportRequestSchema,
    result: returns<DatasetSummary>(),
  },
  'datasets:cancel-import': { method: 'cancelImport', request: CancelImportRequestSchema, result: returns<void>() },
  /** A page of thumbnails of the preprocessed images (for the virtualized grid). */
  'datasets:thumbnails': {
    method: 'datasetThumbnails',
    request: ThumbnailsRequestSchema,
    result: returns<ThumbnailPage>(),
  },
  /** A page of the skipped-files report. */
  'datasets:skipped': {
    method: 'datasetSkipped',
    request: SkippedRequestSchema,
    result: returns<{ total: number; items: SkippedFileInfo[] }>(),
  },
  /** Original vs preprocessed, side by side, for a few files of a folder. */
  'datasets:preview': {
    method: 'previewPreprocessing',
    request: PreviewRequestSchema,
    result: returns<PreviewResult>(),
  },
} as const satisfies OperationTable;
