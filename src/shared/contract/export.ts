/** Exporting a generator for the web (TensorFlow.js LayersModel + generator.json). */
import { z } from 'zod';
import { absPath, taskId } from './common';
import { returns, type OperationTable } from './operation';
import { CheckpointRefSchema } from './runs';

/** Web weights stored as uint8 or float16 with TF.js's weight quantization (tf.loadLayersModel dequantizes). */
export const QUANTIZE_OPTIONS = ['none', 'uint8', 'float16'] as const;
export type QuantizeOption = (typeof QUANTIZE_OPTIONS)[number];

/** What `export:web` wrote. */
export interface WebExportResult {
  dir: string;
  files: string[];
  latentDim: number;
  resolution: number;
  channels: number;
  step: number;
  ema: boolean;
  /** Bytes of the weights file as written. */
  weightBytes: number;
  /** null: float32 weights. Else the dtype, the float size, and the largest pixel difference (grey levels) against float on `seeds`. */
  quantization: { dtype: 'uint8' | 'float16'; floatWeightBytes: number; maxPixelDiff: number; seeds: number[] } | null;
  /** Code that draws seed 42 on a canvas: a plain <script> page and an ES module (as in the README and generator.json). */
  snippets: { script: string; module: string };
  /** The demo page inside the folder (index.html). */
  demo: string;
  /** Browser mode: the server URL path that downloads the folder as one zip (streamed); null in the desktop app. */
  download?: string | null;
}

export const WebExportRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    /** A chosen folder; default: `<run>/export-web/`. */
    dir: absPath.optional(),
    /** The user confirmed writing into a chosen folder that already holds files (else it is refused). */
    overwrite: z.boolean().optional(),
    /** Smaller weights: uint8 (about ¼) or float16 (½); default none (float32). */
    quantize: z.enum(QUANTIZE_OPTIONS).optional(),
    taskId,
  })
  .strict();
export type WebExportRequest = z.infer<typeof WebExportRequestSchema>;

export const exportOperations = {
  /** TensorFlow.js web export; progress as `task:progress` kind 'export'. */
  'export:web': { method: 'exportWeb', request: WebExportRequestSchema, result: returns<WebExportResult>() },
} as const satisfies OperationTable;
