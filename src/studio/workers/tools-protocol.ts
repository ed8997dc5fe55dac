/**
 * Methods of the tools worker (src/studio/workers/tools-worker.ts): everything heavy
 * the studio does outside training, kept off the main/serve event loop. Paths
 * arrive already checked by the backend.
 */
import type { UpscaleFilter } from '../../shared/upscale';
import type { DatasetLocation } from '../dataset-registry';
import type {
  BackendsInfo,
  DatasetOptions,
  DatasetSummary,
  GeneratedImages,
  GeneratorMeta,
  InterpolationFrames,
  LatentsFile,
  NearestImages,
  PreviewResult,
  SavedFile,
  SavedFolder,
  SkippedFileInfo,
  ThumbnailPage,
  WebExportResult,
} from '../../shared/contract';

/** A checkpoint located on disk by the backend. */
export interface CheckpointLocation {
  runId: string;
  runDir: string;
  checkpointDir: string;
}

export interface PinArg {
  seed: number;
  z?: number[];
  /** Conditional generators: this pin's class (else the call's `class`, else 0). */
  class?: number | null;
}

/** Conditional generators' class of a call: see `requestClass` in src/shared/contract/common.ts. */
type ClassArg = { class?: number | null };

/** The frames of a slerp between pins: what previewing and exporting an interpolation both take. */
type InterpolationArgs = ClassArg & {
  checkpoint: CheckpointLocation;
  pins: PinArg[];
  framesPerSegment: number;
  loop: boolean;
  truncation: number;
  scale: number;
};

export interface ToolsMethods {
  probeBackends(args: Record<string, never>): BackendsInfo;
  importDataset(args: { dir: string | null; options: DatasetOptions; taskId?: string }): DatasetSummary;
  thumbnails(args: DatasetLocation & { offset: number; limit: number; size?: number }): ThumbnailPage;
  skipped(args: DatasetLocation & { offset: number; limit: number }): { total: number; items: SkippedFileInfo[] };
  preview(args: {
    dir: string | null;
    options: DatasetOptions;
    count: number;
    files?: string[];
    displaySize: number;
    taskId?: string;
  }): PreviewResult;
  sampleImage(args: { file: string; maxSize?: number }): { dataUrl: string; width: number; height: number };
  loadGenerator(args: { checkpoint: CheckpointLocation }): GeneratorMeta;
  generateImages(
    args: ClassArg & {
      checkpoint: CheckpointLocation;
      seeds: number[];
      truncation: number;
      scale: number;
      classes?: number[];
    },
  ): GeneratedImages;
  interpolate(args: InterpolationArgs): InterpolationFrames;
  saveImage(
    args: ClassArg & {
      checkpoint: CheckpointLocation;
      pin: PinArg;
      truncation: number;
      scale: number;
      filter: UpscaleFilter;
      file: string;
    },
  ): SavedFile;
  exportInterpolation(
    args: InterpolationArgs & {
      filter: UpscaleFilter;
      format: 'gif' | 'png-sequence';
      fps: number;
      /** The GIF file, or the folder of the PNG sequence. */
      target: string;
      taskId?: string;
    },
  ): SavedFile | SavedFolder;
  generateBatch(
    args: ClassArg & {
      checkpoint: CheckpointLocation;
      count: number;
      seed: number;
      truncation: number;
      scale: number;
      filter: UpscaleFilter;
      dir: string;
      taskId?: string;
    },
  ): SavedFolder;
  nearestImages(
    args: ClassArg & { checkpoint: CheckpointLocation; pin: PinArg; truncation: number; k: number; scale: number },
  ): NearestImages;
  saveLatents(
    args: ClassArg & { checkpoint: CheckpointLocation; pins: PinArg[]; truncation: number; file: string },
  ): SavedFile & { latents: LatentsFile };
  exportWeb(args: {
    checkpoint: CheckpointLocation;
    dir: string;
    quantize: 'uint8' | 'float16' | null;
    taskId?: string;
  }): WebExportResult;
}

export type ToolsMethod = keyof ToolsMethods;
