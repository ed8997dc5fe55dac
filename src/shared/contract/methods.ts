/**
 * Which `GanStudioApi` method carries which channel, without zod: the
 * sandboxed preload and the renderer's WebSocket client build the API from
 * these tables, and must not bundle the request schemas.
 *
 * `API_METHOD_CHANNELS` restates the `method` of each operation table entry;
 * ./index.ts fails to compile when the two disagree, so adding an operation
 * to a domain table without adding it here (or the other way round) is a
 * type error.
 */
import { EVENTS } from './events';

/** The API method for every invoke channel. */
export const API_METHOD_CHANNELS = {
  // app
  appInfo: 'app:info',
  studioInfo: 'studio:info',
  backends: 'studio:backends',
  // training: config
  configSchema: 'config:schema',
  resolveConfig: 'config:resolve',
  // folders
  pickFolder: 'dialog:pick-folder',
  listDir: 'fs:list-dir',
  chooseFolder: 'fs:choose-folder',
  openPath: 'shell:open-path',
  // datasets
  listDatasets: 'datasets:list',
  importDataset: 'datasets:import',
  cancelImport: 'datasets:cancel-import',
  datasetThumbnails: 'datasets:thumbnails',
  datasetSkipped: 'datasets:skipped',
  previewPreprocessing: 'datasets:preview',
  // training
  trainingState: 'training:state',
  startTraining: 'training:start',
  pauseTraining: 'training:pause',
  resumeTraining: 'training:resume',
  stopTraining: 'training:stop',
  resumeRun: 'training:resume-run',
  // runs
  listRuns: 'runs:list',
  getRun: 'runs:get',
  runStats: 'runs:stats',
  runSample: 'runs:sample',
  diffRuns: 'runs:diff',
  deleteRun: 'runs:delete',
  repairRun: 'runs:repair',
  followRun: 'runs:follow',
  unfollowRun: 'runs:unfollow',
  // generate
  loadGenerator: 'generate:load',
  generateImages: 'generate:images',
  interpolate: 'generate:interpolate',
  saveImage: 'generate:save-image',
  exportInterpolation: 'generate:export-interpolation',
  generateBatch: 'generate:batch',
  saveLatents: 'generate:save-latents',
  nearestImages: 'generate:nearest',
  parseLatents: 'generate:parse-latents',
  // export
  exportWeb: 'export:web',
} as const;

type Events = typeof EVENTS;

/** The API method for every event channel (from the events table). */
export const API_EVENT_METHODS = Object.fromEntries(
  Object.entries(EVENTS).map(([channel, e]) => [e.method, channel]),
) as {
  [C in keyof Events as Events[C]['method']]: C;
};

export type ApiInvokeMethod = keyof typeof API_METHOD_CHANNELS;
export type ApiEventMethod = keyof typeof API_EVENT_METHODS;
