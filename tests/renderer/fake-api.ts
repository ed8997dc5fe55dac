/**
 * An in-memory `GanStudioApi` for store and component tests: a test double for
 * the transport only. Every method is a vi.fn with a plausible default answer
 * (override per test with mockResolvedValue…); `emit` pushes events to the
 * listeners the stores subscribed, as the backend would.
 */
import { vi } from 'vitest';
import { TrainConfigSchema } from '@shared/config';
import type { ConnectionState, GanStudioApi, IpcEventMap, StudioInfo, TrainingState } from '@shared/contract';
import { IDLE_TRAINING_STATE } from '@shared/training-state';

type Listener<T> = (payload: T) => void;

export interface FakeApi extends GanStudioApi {
  emit<E extends keyof IpcEventMap>(channel: E, payload: IpcEventMap[E]): void;
  listenerCount(channel: keyof IpcEventMap | 'connection'): number;
  /** The link's state changes, as the browser-mode socket reports it (a drop, a reconnect). */
  setConnection(state: ConnectionState): void;
}

export const STUDIO_INFO: StudioInfo = {
  app: {
    name: 'GAN Studio',
    version: '0.1.0',
    versions: { node: '20', electron: '', chrome: '', v8: '' },
    platform: 'linux',
    arch: 'x64',
    packaged: false,
  },
  mode: 'browser',
  nativeDialogs: false,
  runsRoot: '/tmp/runs',
  demoDatasetDir: '/demo',
  home: '/home/me',
  pathSeparator: '/',
};

export const IDLE: TrainingState = IDLE_TRAINING_STATE;

/** The generator every fake checkpoint holds (loadGenerator, and the meta of generate/interpolate results). */
export function generatorMeta(runId: string) {
  return {
    runId,
    step: 100,
    latentDim: 8,
    resolution: 16,
    channels: 3,
    ema: true,
    numClasses: 0,
    classNames: [],
    preset: 'dcgan-28',
  };
}

export function createFakeApi(): FakeApi {
  const listeners = new Map<string, Set<Listener<unknown>>>();
  const on =
    <T>(channel: string) =>
    (fn: Listener<T>) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn as Listener<unknown>);
      return () => listeners.get(channel)?.delete(fn as Listener<unknown>);
    };
  const connection: ConnectionState = { connected: true, attempt: 0, error: null };

  const api: FakeApi = {
    appInfo: vi.fn(async () => STUDIO_INFO.app),
    studioInfo: vi.fn(async () => STUDIO_INFO),
    backends: vi.fn(async () => ({
      backends: [{ name: 'wasm' as const, available: true, reason: 'ready', auto: true }],
      auto: 'wasm' as const,
    })),
    configSchema: vi.fn(async () => {
      throw new Error('configSchema not set up in this test');
    }),
    // the real schema decides, as the backend's resolve does
    resolveConfig: vi.fn(async (req) => {
      const parsed = TrainConfigSchema.safeParse(req.config ?? {});
      if (parsed.success) return { ok: true as const, config: parsed.data };
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return { ok: false as const, error: issues[0]?.message ?? 'invalid', issues };
    }),
    pickFolder: vi.fn(async () => null),
    listDir: vi.fn(async () => ({ path: '/home/me', parent: '/home', entries: [], imageCount: 0, places: [] })),
    chooseFolder: vi.fn(async (req) => req.path),
    openPath: vi.fn(async (req) => ({ path: 'path' in req ? req.path : `/tmp/runs/${req.runId}`, opened: false })),
    listDatasets: vi.fn(async () => []),
    importDataset: vi.fn(async () => {
      throw new Error('importDataset not set up in this test');
    }),
    cancelImport: vi.fn(async () => undefined),
    datasetThumbnails: vi.fn(async (req) => ({
      datasetId: req.datasetId,
      total: 1_000_000,
      offset: req.offset,
      items: Array.from({ length: req.limit }, (_, i) => ({
        index: req.offset + i,
        label: 0,
        dataUrl: `data:image/png;base64,${req.offset + i}`,
      })),
      size: req.size ?? 64,
    })),
    datasetSkipped: vi.fn(async () => ({ total: 0, items: [] })),
    previewPreprocessing: vi.fn(async () => ({ root: '/demo', totalFiles: 0, items: [] })),
    trainingState: vi.fn(async () => ({ ...IDLE })),
    startTraining: vi.fn(async () => ({ jobId: 'job-1' })),
    pauseTraining: vi.fn(async () => ({ ...IDLE, phase: 'paused' as const })),
    resumeTraining: vi.fn(async () => ({ ...IDLE, phase: 'running' as const })),
    stopTraining: vi.fn(async () => ({ ...IDLE, phase: 'stopping' as const })),
    resumeRun: vi.fn(async () => ({ jobId: 'job-2' })),
    listRuns: vi.fn(async () => []),
    getRun: vi.fn(async () => {
      throw new Error('getRun not set up in this test');
    }),
    runStats: vi.fn(async (req) => ({ runId: req.runId, stats: [], total: 0 })),
    runSample: vi.fn(async (req) => ({
      runId: req.runId,
      step: req.step ?? 0,
      dataUrl: `data:image/png;base64,sample-${req.step}`,
      width: 8,
      height: 8,
    })),
    diffRuns: vi.fn(async () => []),
    deleteRun: vi.fn(async () => undefined),
    repairRun: vi.fn(async (req) => ({
      runId: req.runId,
      actions: [{ kind: 'status', description: 'write the missing status.json: stopped at step 4' }],
      unrepairable: [],
      applied: req.apply,
    })),
    followRun: vi.fn(async () => ({ leaseMs: 30_000 })),
    unfollowRun: vi.fn(async () => undefined),
    loadGenerator: vi.fn(async (req) => generatorMeta(req.checkpoint.runId)),
    generateImages: vi.fn(async (req) => ({
      meta: generatorMeta(req.checkpoint.runId),
      images: req.seeds.map((seed: number, i: number) => ({
        seed,
        class: req.classes?.[i] ?? req.class ?? null,
        dataUrl: `data:image/png;base64,seed-${seed}`,
      })),
      size: 16,
    })),
    interpolate: vi.fn(async (req) => ({
      meta: generatorMeta(req.checkpoint.runId),
      frames: Array.from(
        { length: (req.pins.length - (req.loop === false ? 1 : 0)) * (req.framesPerSegment ?? 24) },
        (_, i) => `data:image/png;base64,f${i}`,
      ),
      size: 16,
    })),
    saveImage: vi.fn(async () => ({
      path: '/tmp/runs/x/generated/seed1-x4.png',
      dataUrl: 'data:image/png;base64,x',
      bytes: 100,
    })),
    exportInterpolation: vi.fn(async () => ({ path: '/tmp/runs/x/generated/interp.gif', dataUrl: null, bytes: 1000 })),
    generateBatch: vi.fn(async (req) => ({ path: '/tmp/out', files: req.count })),
    nearestImages: vi.fn(async (req) => ({
      seed: req.pin.seed,
      sample: `data:image/png;base64,sample-${req.pin.seed}`,
      features: [{ index: 7, distance: 1.5, dataUrl: 'data:image/png;base64,train-7' }],
      pixels: [{ index: 9, distance: 0.25, dataUrl: 'data:image/png;base64,train-9' }],
      size: 28,
      searched: 2700,
    })),
    saveLatents: vi.fn(async () => ({
      path: '/tmp/latents.json',
      dataUrl: 'data:application/json;base64,e30=',
      bytes: 2,
    })),
    parseLatents: vi.fn(async (req) => JSON.parse(req.json)),
    exportWeb: vi.fn(async () => ({
      dir: '/tmp/runs/x/export-web',
      files: ['model.json', 'group1-shard1of1.bin', 'generator.json'],
      latentDim: 8,
      resolution: 16,
      channels: 3,
      step: 100,
      ema: true,
      weightBytes: 4096,
      quantization: null,
      snippets: { script: '<script>/* draws seed 42 */</script>', module: "import * as tf from '@tensorflow/tfjs';" },
      demo: 'index.html',
    })),
    onWindowFocusChanged: on('window:focus-changed'),
    onTrainingEvent: on('training:event'),
    onTrainingState: on('training:state'),
    onTaskProgress: on('task:progress'),
    onRunsChanged: on('runs:changed'),
    onRunUpdate: on('runs:update'),
    onConnectionChange: (fn) => {
      const off = on<ConnectionState>('connection')(fn);
      fn(connection);
      return off;
    },
    emit(channel, payload) {
      for (const fn of listeners.get(channel) ?? []) fn(payload);
    },
    listenerCount(channel) {
      return listeners.get(channel)?.size ?? 0;
    },
    setConnection(state) {
      Object.assign(connection, state);
      for (const fn of listeners.get('connection') ?? []) fn(state);
    },
  };
  return api;
}
