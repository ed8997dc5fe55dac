/**
 * Public types of dataset import: options, the import report, the loaded
 * data set and the one user-facing error class.
 */
import type { ResizeMode } from '../../shared/config.js';
import { UserError } from '../errors.js';

export type ImportPhase = 'scan' | 'decode' | 'cache';

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Side of the square output images, in pixels (1..4096). */
  resolution: number;
  /** 1: luminance (Rec. 601 luma of the sRGB values), 3: sRGB. */
  channels: 1 | 3;
  /** How non-square images become square: centre crop, pad with `background`, or stretch. */
  resize: ResizeMode;
  /** '#rrggbb': transparent pixels are composited onto it, and `pad` fills with it. */
  background: string;
  /** Images whose shorter side (after EXIF orientation) is below this are skipped. */
  minSize: number;
  /**
   * Folder for the preprocessed-data cache. Default: `$GAN_STUDIO_CACHE/datasets`
   * when the GAN_STUDIO_CACHE environment variable is set, else
   * `~/.cache/gan-studio/datasets`.
   */
  cacheDir?: string;
  /** false: neither read nor write the cache (default true). */
  cache?: boolean;
  /** Files decoded at once (default: two per CPU core, 2 to 8). */
  concurrency?: number;
  onProgress?: (p: ImportProgress) => void;
  /** Aborting rejects the import with the signal's reason (an AbortError by default). */
  signal?: AbortSignal;
}

export interface SkippedFile {
  /** Path relative to the import root, '/'-separated. Folders end with '/'. */
  file: string;
  /** One human line, e.g. "empty file (0 bytes)", "too small: 4×4 (minimum 8)". */
  reason: string;
}

export interface SizeSummary {
  minWidth: number;
  maxWidth: number;
  minHeight: number;
  maxHeight: number;
}

/** Source colour layout of the imported images (before conversion). */
export interface ChannelSummary {
  gray: number;
  grayAlpha: number;
  rgb: number;
  rgba: number;
  /** CMYK and other layouts; converted to sRGB. */
  other: number;
}

export interface ImportReport {
  /** Absolute path of the imported folder. */
  root: string;
  /**
   * Entries considered: imported + skipped.length. Hidden entries, OS clutter
   * and the cache folder are not counted.
   */
  filesSeen: number;
  /** Hidden files and folders (name starting with '.') and OS clutter that were ignored. */
  ignored: number;
  imported: number;
  skipped: SkippedFile[];
  /** Class names, sorted; [] when the folder has no class subfolders. */
  classNames: string[];
  /** Images per class, parallel to classNames ([] when there are no classes). */
  classCounts: number[];
  /** Source dimensions (after EXIF orientation) of the imported images; null when none. */
  sourceSizes: SizeSummary | null;
  sourceChannels: ChannelSummary;
  /** Imported images per source format (png, jpeg, webp, ...). */
  formats: Record<string, number>;
  /** What was done to every image, in words (resize mode, filters, background). */
  preprocessing: string;
  /** Non-fatal problems, e.g. the cache could not be written. */
  warnings: string[];
  /** Wall time of this import call, in ms (small for a cache hit). */
  durationMs: number;
}

export interface Dataset {
  count: number;
  resolution: number;
  channels: 1 | 3;
  /** count × resolution × resolution × channels bytes, NHWC, 0..255. */
  pixels: Uint8Array;
  /** Class index per image; 0 when there are no classes. */
  labels: Int32Array;
  /** [] when the folder has no class subfolders. */
  classNames: string[];
  report: ImportReport;
  fromCache: boolean;
  cacheKey: string;
  /**
   * Fill a Float32Array with images [indices] scaled to [-1, 1], NHWC.
   * `out` must hold at least indices.length × resolution² × channels values;
   * the returned array is exactly that long (a view of `out` when given).
   */
  batch(indices: ArrayLike<number>, out?: Float32Array): Float32Array;
}

/**
 * A problem the user can fix (missing folder, nothing usable, bad option).
 * The message is one clear line; `report` is attached when an import ran.
 */
export class DatasetError extends UserError {
  override name = 'DatasetError';
  readonly report?: ImportReport;

  constructor(message: string, report?: ImportReport) {
    super(message);
    this.report = report;
  }
}
