/** Exporting a generator for the web (TensorFlow.js LayersModel + generator.json). */
import { z } from 'zod';
import { absPath, taskId } from './common';
import { returns, type OperationTable } from './operation';
import { CheckpointRefSchema } from './runs';

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

export const WebExportRequestSchema = z
  .object({
    checkpoint: CheckpointRefSchema,
    /** A chosen folder; default: `<run>/export-web/`. */
    dir: absPath.optional(),
    /** The user confirmed writing into a chosen folder that already holds files (else it is refused). */
    overwrite: z.boolean().optional(),
    taskId,
  })
  .strict();
export type WebExportRequest = z.infer<typeof WebExportRequestSchema>;

export const exportOperations = {
  /** TensorFlow.js web export; progress as `task:progress` kind 'export'. */
  'export:web': { method: 'exportWeb', request: WebExportRequestSchema, result: returns<WebExportResult>() },
} as const satisfies OperationTable;
