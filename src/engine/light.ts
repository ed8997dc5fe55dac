/**
 * The part of the engine that never loads tfjs: config, run folders (layout,
 * config, status, lock), run plans, datasets' files, errors. What a main
 * process (the studio backend, the server) may import without paying for
 * TensorFlow.js. `index.ts` re-exports all of it plus the compute side.
 */
export { UserError } from './errors';

export { PRESET_NAMES, PRESETS, isPresetName } from './config/presets';
export { configTree, parseConfig, parseSet, resolveConfig, type ConfigSources } from './config/resolve';

export { planRun, type RunPlan, type RunRequest } from './run/plan';
export { inspectRunConfig, readRun, readRunConfig, type RunFolder } from './run/config-file';
export { NewerRunFormatError, RUN_FILE, RUN_FORMAT, readRunInfo, type RunInfo } from './run/run-format';
export { GAN_STUDIO_VERSION } from './version';
export {
  CHECKPOINTS_DIR,
  CHECKPOINT_STATE_FILE,
  CONFIG_FILE,
  IMPORT_REPORT_FILE,
  LOCK_FILE,
  SAMPLES_DIR,
  STATS_FILE,
  METRICS_FILE,
  STATUS_FILE,
  checkpointDir,
  isCheckpointFolder,
  isRunFolderName,
  listCheckpoints,
  listRunFolders,
  listSampleSteps,
  resolveCheckpointDir,
  runDirOf,
  sampleFile,
  stepName,
} from './run/run-dir';
export {
  RunLockedError,
  acquireRunLock,
  assertRunUnlocked,
  readLockHolder,
  type LockHolder,
  type LockInfo,
  type RunLock,
} from './run/lock';
export { readRunStatus, readStatusFile, type RunStatusInfo, type StatusFile } from './run/status';
export { readStats, type StepStats } from './run/stats-log';
export { planRepair, repairRun, type RepairAction, type RepairKind, type RepairReport } from './run/repair';

export { DatasetError, defaultCacheDir, demoDatasetDir, formatReport, importDataset, loadDemoDataset } from './dataset';
export type { Dataset, ImportPhase, ImportProgress, ImportReport } from './dataset';
export { IMAGE_EXTENSIONS, hasImageExtension } from './image/extensions';
export { writeDirAtomic, writeFileAtomic } from './io/atomic';
// tfjs-free (zod and the seed rule's RNG only): the studio backend reads a user's latents file without loading tfjs.
export { parseLatentsFile } from './generate/latents-file';
