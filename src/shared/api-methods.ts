/**
 * Which `GanStudioApi` method carries which channel. Zod-free (types only from
 * ./ipc), so the sandboxed preload and the renderer's WebSocket client can
 * build the API from these tables without bundling the schemas.
 */
import type { GanStudioApi, IpcEventChannel, IpcInvokeChannel } from './ipc';

/** The API method for every invoke channel (the preload and the ws client are built from it). */
export const API_METHOD_CHANNELS = {
  appInfo: 'app:info',
  studioInfo: 'studio:info',
  backends: 'studio:backends',
  configSchema: 'config:schema',
  resolveConfig: 'config:resolve',
  pickFolder: 'dialog:pick-folder',
  listDir: 'fs:list-dir',
  chooseFolder: 'fs:choose-folder',
  openPath: 'shell:open-path',
  listDatasets: 'datasets:list',
  importDataset: 'datasets:import',
  cancelImport: 'datasets:cancel-import',
  datasetThumbnails: 'datasets:thumbnails',
  datasetSkipped: 'datasets:skipped',
  previewPreprocessing: 'datasets:preview',
  trainingState: 'training:state',
  startTraining: 'training:start',
  pauseTraining: 'training:pause',
  resumeTraining: 'training:resume',
  stopTraining: 'training:stop',
  resumeRun: 'training:resume-run',
  listRuns: 'runs:list',
  getRun: 'runs:get',
  runStats: 'runs:stats',
  runSample: 'runs:sample',
  diffRuns: 'runs:diff',
  deleteRun: 'runs:delete',
  loadGenerator: 'generate:load',
  generateImages: 'generate:images',
  interpolate: 'generate:interpolate',
  saveImage: 'generate:save-image',
  exportInterpolation: 'generate:export-interpolation',
  generateBatch: 'generate:batch',
  saveLatents: 'generate:save-latents',
  parseLatents: 'generate:parse-latents',
  exportWeb: 'export:web',
} as const satisfies Partial<Record<keyof GanStudioApi, IpcInvokeChannel>>;

/** The API method for every event channel. */
export const API_EVENT_METHODS = {
  onWindowFocusChanged: 'window:focus-changed',
  onTrainingEvent: 'training:event',
  onTrainingState: 'training:state',
  onTaskProgress: 'task:progress',
  onRunsChanged: 'runs:changed',
} as const satisfies Partial<Record<keyof GanStudioApi, IpcEventChannel>>;

// Compile-time checks that the two tables cover GanStudioApi exactly.
type InvokeMethods = keyof typeof API_METHOD_CHANNELS;
type EventMethods = keyof typeof API_EVENT_METHODS;
type _AllMethodsMapped = Exclude<keyof GanStudioApi, InvokeMethods | EventMethods | 'onConnectionChange'> extends never ? true : never;
type _AllChannelsMapped = Exclude<IpcInvokeChannel, (typeof API_METHOD_CHANNELS)[InvokeMethods]> extends never ? true : never;
export const CONTRACT_CHECKS: [_AllMethodsMapped, _AllChannelsMapped] = [true, true];


export type ApiInvokeMethod = keyof typeof API_METHOD_CHANNELS;
export type ApiEventMethod = keyof typeof API_EVENT_METHODS;
