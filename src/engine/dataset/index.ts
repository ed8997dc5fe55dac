/**
 * Dataset import: turns a folder of images (any format sharp reads, any size,
 * gray/RGB/RGBA) into square uint8 tensors with class labels, a report of
 * what was skipped and why, and a disk cache so a second import is instant.
 *
 *   scan.ts     recursive file listing, deterministic order
 *   decode.ts   sharp decoding and preprocessing of one file
 *   pool.ts     bounded concurrency
 *   cache.ts    cache key, atomic cache files, validation
 *   report.ts   import report, text formatting
 *   dataset.ts  the Dataset object and batch()
 *   import.ts   importDataset (ties the above together)
 *   demo.ts     the bundled Fashion-MNIST demo set
 */
export { DatasetError } from './types.js';
export type {
  ChannelSummary,
  Dataset,
  ImportOptions,
  ImportPhase,
  ImportProgress,
  ImportReport,
  SizeSummary,
  SkippedFile,
} from './types.js';
export { importDataset } from './import.js';
export { demoDatasetDir, loadDemoDataset } from './demo.js';
export { formatReport } from './report.js';
export { defaultCacheDir } from './options.js';
