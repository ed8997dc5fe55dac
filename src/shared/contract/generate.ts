/** Generation from a run's checkpoint: grids, interpolation, saved images, batches and latents files. */
import { z } from 'zod';
import { absPath, classIndex, fileName, requestClass, scale, seed, taskId, truncation, upscaleFilter } from './common';
import { returns, type OperationTable } from './operation';
import { CheckpointRefSchema } from './runs';

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

/** A file the backend wrote; `dataUrl` is there for small files so browser mode can show or offer it. */
export interface SavedFile {
  path: string;
  dataUrl: string | null;
  bytes: number;
  /** Browser mode: the server URL path that downloads it (see DOWNLOAD_PATH); null in the desktop app. */
  download?: string | null;
}

export interface SavedFolder {
  path: string;
  files: number;
  /** Browser mode: the server URL path that downloads the folder as one zip; null in the desktop app. */
  download?: string | null;
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

export const PinSchema = z
  .object({
    seed,
    z: z.array(z.number().finite()).min(1).max(4096).optional(),
    class: classIndex.nullable().optional(),
  })
  .strict();

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
  .refine((r) => !r.classes || r.classes.length === r.seeds.length, {
    message: 'classes must have one class per seed',
    path: ['classes'],
  });
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
    /** Integer upscale. */
    scale: z.number().int().min(1).max(32).default(4),
    /** Crisp pixels (nearest) or smooth (lanczos). */
    filter: upscaleFilter,
    /** A chosen folder; default: `<run>/generated/`. */
    dir: absPath.optional(),
    /** Default: `seed<seed>-x<scale>.png` (numbered `-2`, `-3`, … when taken). */
    fileName: fileName.optional(),
    /** The user confirmed replacing an existing file of that name (else it is refused). */
    overwrite: z.boolean().optional(),
  })
  .strict();
export type SaveImageRequest = z.input<typeof SaveImageRequestSchema>;

export const ExportInterpolationRequestSchema = z
  .object({
    ...interpolationFields,
    format: z.enum(['gif', 'png-sequence']),
    /** Frames per second of the GIF (at most 50: browsers slow down GIF frames shorter than 2 cs). */
    fps: z.number().int().min(1).max(50).default(24),
    /** How `scale` enlarges the frames: crisp pixels (nearest) or smooth (lanczos). */
    filter: upscaleFilter,
    /** A chosen folder; default: `<run>/generated/`. */
    dir: absPath.optional(),
    /** GIF file name, or the PNG sequence's folder name. Default: `interp-<seeds>.gif` / `interp-<seeds>/`. */
    name: fileName.optional(),
    /** The user confirmed replacing an existing GIF or writing into an existing frame folder of that name. */
    overwrite: z.boolean().optional(),
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
    /** How `scale` enlarges the PNGs: crisp pixels (nearest) or smooth (lanczos). */
    filter: upscaleFilter,
    /** Conditional generators: one class for all; null or left out: image i gets class i mod numClasses. */
    class: requestClass,
    /** A chosen folder; default: `<run>/generated/batch-<seed>/` (numbered when taken). */
    dir: absPath.optional(),
    /** The user confirmed writing into a chosen folder that already holds files (else it is refused). */
    overwrite: z.boolean().optional(),
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
    /** The user confirmed replacing an existing file of that name (else it is refused). */
    overwrite: z.boolean().optional(),
  })
  .strict();
export type SaveLatentsRequest = z.input<typeof SaveLatentsRequestSchema>;

export const ParseLatentsRequestSchema = z.object({ json: z.string().max(64 * 1024 * 1024) }).strict();
export type ParseLatentsRequest = z.infer<typeof ParseLatentsRequestSchema>;

export const generateOperations = {
  'generate:load': { method: 'loadGenerator', request: GenerateLoadRequestSchema, result: returns<GeneratorMeta>() },
  'generate:images': {
    method: 'generateImages',
    request: GenerateImagesRequestSchema,
    result: returns<GeneratedImages>(),
  },
  'generate:interpolate': {
    method: 'interpolate',
    request: InterpolateRequestSchema,
    result: returns<InterpolationFrames>(),
  },
  'generate:save-image': { method: 'saveImage', request: SaveImageRequestSchema, result: returns<SavedFile>() },
  /** GIF (a file) or PNG sequence (a folder of frame-0000.png …). */
  'generate:export-interpolation': {
    method: 'exportInterpolation',
    request: ExportInterpolationRequestSchema,
    result: returns<SavedFile | SavedFolder>(),
  },
  /** N images to a folder, image i from seed `seed + i`. */
  'generate:batch': { method: 'generateBatch', request: GenerateBatchRequestSchema, result: returns<SavedFolder>() },
  'generate:save-latents': { method: 'saveLatents', request: SaveLatentsRequestSchema, result: returns<SavedFile>() },
  /** Checks a latents JSON (e.g. read with <input type=file>) and returns it normalised. */
  'generate:parse-latents': {
    method: 'parseLatents',
    request: ParseLatentsRequestSchema,
    result: returns<LatentsFile>(),
  },
} as const satisfies OperationTable;
