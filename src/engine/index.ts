/**
 * The engine's public entry: what the CLI, the studio's workers and tests
 * use. Starting and resuming runs goes through `startRun` only. Processes
 * that must not load tfjs (the studio backend, the server) import `./light`.
 */
export * from './light';

export { startRun, type RunEvent, type RunHooks, type RunResult } from './run/start';
export { PauseGate } from './train/pause-gate';
export { resumeRun, trainNewRun, type TrainEvent, type TrainingInput } from './train/run-training';
export { importForConfig } from './train/training-data';
export { configWarnings } from './config/techniques';

export {
  BACKEND_PREFERENCE,
  BackendError,
  probeBackends,
  resolveThreads,
  activateBackend,
  wasmThreadsInUse,
  withResolvedThreads,
  type ActiveBackend,
  type BackendStatus,
  type GpuAdapterSummary,
} from './backend';
export { benchmark, type BenchResult } from './bench';

export * from './generate';
export { checkpointMetrics } from './metrics/checkpoint-metrics';
export { NEAREST_FILE, checkpointNearest } from './metrics/checkpoint-nearest';
export { sampleNearest, trainingImagesOf, type TrainingImages } from './metrics/sample-nearest';
export type { MetricValues } from './metrics/compare';
export { describeSkipped, type SkippedCheckpoint } from './run/checkpoint-pick';
export { QUANTIZE_DTYPES, exportForWeb, type GeneratorInfo, type QuantizeDtype } from './export-web';
export { gridPng, imagePng, type ImageBatch } from './image/png';
export { checkUpscale, MAX_UPSCALE, upscalePixels } from './image/scale';
export { encodeGif, gifDelayCs, MAX_GIF_FPS, type GifOptions } from './image/gif';

export { decodeInto, SkipFile } from './dataset/decode';
export { scanFolder, type ScannedFile } from './dataset/scan';
export { resolveOptions } from './dataset/options';
