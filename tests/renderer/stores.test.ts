import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '../../src/renderer/src/api/index';
import { useConfigStore } from '../../src/renderer/src/stores/config';
import { THUMB_PAGE, useDatasetsStore } from '../../src/renderer/src/stores/datasets';
import { gridSeeds, useGenerateStore } from '../../src/renderer/src/stores/generate';
import { useRunsStore } from '../../src/renderer/src/stores/runs';
import { THEME_STORAGE_KEY, useThemeStore } from '../../src/renderer/src/stores/theme';
import { useTrainingStore } from '../../src/renderer/src/stores/training';
import { TrainConfigSchema } from '../../src/shared/config';
import type { DatasetSummary, RunDetail, RunSummary, StepStats } from '../../src/shared/ipc';
import { createFakeApi, type FakeApi } from './fake-api';

let api: FakeApi;

beforeEach(() => {
  setActivePinia(createPinia());
  api = createFakeApi();
  setApiForTesting(api);
});

afterEach(() => {
  setApiForTesting(null);
  vi.useRealTimers();
});

const stat = (step: number, extra: Partial<StepStats> = {}): StepStats => ({
  step,
  lossD: 1.3,
  lossG: 0.8,
  dReal: 0.6,
  dFake: 0.4,
  gradNormD: 2,
  gradNormG: 1,
  imgPerSec: 500,
  time: 1_000_000 + step * 100,
  ...extra,
});

const summary = (id: string, extra: Partial<RunSummary> = {}): RunSummary => ({
  id,
  name: 'run',
  dir: `/tmp/runs/${id}`,
  status: 'finished',
  error: null,
  problem: null,
  preset: 'dcgan-28',
  step: 300,
  steps: 300,
  resolution: 28,
  channels: 1,
  backend: 'wasm',
  dataDir: null,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  lastSampleStep: 300,
  lastCheckpointStep: 300,
  checkpointCount: 1,
  live: false,
  resumable: true,
  ...extra,
});

const detail = (id: string, sampleSteps: number[]): RunDetail => ({
  summary: summary(id),
  config: TrainConfigSchema.parse({}),
  importReport: null,
  sampleSteps,
  checkpoints: [{ step: 300, savedAt: null, backend: 'wasm', sampleStep: 300 }],
});

describe('training store', () => {
  it('loads a live run, then appends streamed steps and samples', async () => {
    vi.mocked(api.trainingState).mockResolvedValue({ phase: 'running', jobId: 'j', runId: '00001-run', step: 2, steps: 100, backend: 'wasm', importProgress: null, startedAt: 1, stepsThisJob: 2 });
    vi.mocked(api.getRun).mockResolvedValue(detail('00001-run', [0, 1]));
    vi.mocked(api.runStats).mockResolvedValue({ runId: '00001-run', stats: [stat(1), stat(2)], total: 2 });
    const t = useTrainingStore();
    await t.init();
    expect(t.runId).toBe('00001-run');
    expect(t.stats.map((s) => s.step)).toEqual([1, 2]);
    expect(t.samples.map((s) => s.step)).toEqual([0, 1]);
    expect(t.samples[1].src).toBe('data:image/png;base64,sample-1'); // the newest grid is fetched
    expect(api.listenerCount('training:event')).toBe(1);

    api.emit('training:event', { type: 'steps', jobId: 'j', runId: '00001-run', stats: [stat(2), stat(3), stat(4)] });
    expect(t.stats.map((s) => s.step)).toEqual([1, 2, 3, 4]); // duplicates dropped
    api.emit('training:event', { type: 'steps', jobId: 'j', runId: 'other', stats: [stat(9)] });
    expect(t.stats).toHaveLength(4);
    api.emit('training:event', { type: 'sample', jobId: 'j', runId: '00001-run', step: 4, dataUrl: 'data:x' });
    expect(t.samples.at(-1)).toEqual({ step: 4, src: 'data:x' });

    api.emit('training:state', { phase: 'running', jobId: 'j', runId: '00001-run', step: 4, steps: 100, backend: 'wasm', importProgress: null, startedAt: 1, stepsThisJob: 4 });
    expect(t.isLive).toBe(true);
    expect(t.stepsPerSec).toBeCloseTo(10); // 100 ms per step
    expect(t.eta).toBeCloseTo(9.6);
  });

  it('derives health issues from the streamed stats', async () => {
    const t = useTrainingStore();
    await t.init();
    t.runId = '00001-run';
    api.emit('training:event', { type: 'steps', jobId: 'j', runId: '00001-run', stats: [stat(1), stat(2, { gradNormD: 300 })] });
    expect(t.health.map((i) => i.id)).toEqual(['grad-explode']);
    api.emit('training:event', { type: 'steps', jobId: 'j', runId: '00001-run', stats: [stat(3, { lossD: Number.NaN })] });
    expect(t.health[0].id).toBe('nan');
  });

  it('records a dead training process and resumes the run from its checkpoint', async () => {
    vi.mocked(api.getRun).mockResolvedValue(detail('00002-run', []));
    const t = useTrainingStore();
    await t.init();
    api.emit('training:event', { type: 'died', jobId: 'j', runId: '00002-run', reason: 'out of memory', exitCode: null, signal: 'SIGKILL', lastCheckpointStep: 500, canResume: true });
    expect(t.died?.reason).toBe('out of memory');
    const job = await t.resumeRun('00002-run');
    expect(job).toBe('job-2');
    expect(api.resumeRun).toHaveBeenCalledWith({ runId: '00002-run', changes: undefined });
    expect(t.died).toBeNull();
  });

  it('start, pause, resume and stop go to the API; errors land in `error`', async () => {
    const t = useTrainingStore();
    const config = TrainConfigSchema.parse({ steps: 10 });
    expect(await t.start(config)).toBe('job-1');
    expect(api.startTraining).toHaveBeenCalledWith({ config });
    await t.pause();
    expect(t.state.phase).toBe('paused');
    await t.togglePause();
    expect(api.resumeTraining).toHaveBeenCalled();
    expect(t.state.phase).toBe('running');
    await t.stop();
    expect(t.state.phase).toBe('stopping');
    vi.mocked(api.startTraining).mockRejectedValue(new Error('A training job is already running.'));
    expect(await t.start(config)).toBeNull();
    expect(t.error).toBe('A training job is already running.');
  });
});

describe('config store', () => {
  const jsonSchema = { type: 'object', properties: {} };
  const presetConfig = TrainConfigSchema.parse({ preset: 'dcgan-28', model: { arch: 'dcgan-dense', resolution: 28, channels: 1 } });

  it('starts from the default preset and checks edits with the backend after a pause', async () => {
    vi.useFakeTimers();
    vi.mocked(api.configSchema).mockResolvedValue({
      jsonSchema,
      groups: [],
      presets: [{ name: 'dcgan-28', description: 'small', config: presetConfig }],
      defaultPreset: 'dcgan-28',
      resumableKeys: ['steps'],
    });
    const c = useConfigStore();
    await c.load();
    expect(c.preset).toBe('dcgan-28');
    expect((c.values.model as { resolution: number }).resolution).toBe(28);

    c.setValues({ ...c.values, batchSize: 99999 });
    c.setValues({ ...c.values, batchSize: 5000 });
    expect(api.resolveConfig).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(api.resolveConfig).toHaveBeenCalledTimes(1); // debounced
    expect(c.valid).toBe(false);
    expect(Object.keys(c.serverErrors)).toEqual(['batchSize']);

    c.setValues({ ...c.values, batchSize: 32 });
    await vi.advanceTimersByTimeAsync(300);
    expect(c.valid).toBe(true);
    expect(c.resolved?.batchSize).toBe(32);
  });

  it('points the config at an imported data set', () => {
    const c = useConfigStore();
    c.values = TrainConfigSchema.parse({}) as unknown as Record<string, unknown>;
    c.useDataset({ dir: '/pics', options: { resolution: 32, channels: 3, resize: 'pad', background: '#000000', minSize: 8 } } as DatasetSummary);
    expect(c.values.data).toMatchObject({ dir: '/pics', resize: 'pad', background: '#000000' });
    expect(c.values.model).toMatchObject({ resolution: 32, channels: 3 });
  });
});

describe('datasets store', () => {
  const ds = (extra: Partial<DatasetSummary> = {}): DatasetSummary => ({
    id: 'ds1',
    dir: null,
    root: '/demo',
    options: { resolution: 28, channels: 1, resize: 'crop', background: '#ffffff', minSize: 8 },
    count: 60_000,
    filesSeen: 60_002,
    ignored: 0,
    skippedCount: 2,
    skipped: [{ file: 'a.png', reason: 'empty file (0 bytes)' }],
    classNames: [],
    classCounts: [],
    sourceSizes: null,
    sourceChannels: { gray: 60_000, grayAlpha: 0, rgb: 0, rgba: 0, other: 0 },
    formats: { png: 60_000 },
    preprocessing: 'crop',
    warnings: [],
    fromCache: false,
    durationMs: 10,
    importedAt: '',
    ...extra,
  });

  it('imports with a task id, follows its progress, and shows the report', async () => {
    let resolveImport!: (d: DatasetSummary) => void;
    vi.mocked(api.importDataset).mockImplementation(() => new Promise((r) => (resolveImport = r)));
    const store = useDatasetsStore();
    store.options.resolution = 28;
    const pending = store.importDataset();
    expect(store.importing).toBe(true);
    const req = vi.mocked(api.importDataset).mock.calls[0][0];
    expect(req.dir).toBeNull();
    expect(req.options.resolution).toBe(28);
    api.emit('task:progress', { taskId: req.taskId!, kind: 'import', phase: 'decode', done: 30, total: 120 });
    expect(store.importFraction).toBeCloseTo(0.25);
    expect(store.importPhase).toBe('decode');
    resolveImport(ds());
    await pending;
    expect(store.importing).toBe(false);
    expect(store.current?.count).toBe(60_000);
    expect(store.skippedTotal).toBe(2);
  });

  it('reports an import failure in one line', async () => {
    vi.mocked(api.importDataset).mockRejectedValue(new Error('No usable images in /x'));
    const store = useDatasetsStore();
    expect(await store.importDataset()).toBeNull();
    expect(store.error).toBe('No usable images in /x');
  });

  it('fetches each thumbnail page once, only for the visible range', async () => {
    const store = useDatasetsStore();
    store.show(ds());
    await store.ensureThumbnails(0, 200);
    expect(api.datasetThumbnails).toHaveBeenCalledTimes(2);
    await store.ensureThumbnails(50, 150);
    expect(api.datasetThumbnails).toHaveBeenCalledTimes(2);
    expect(store.thumbAt(5)?.dataUrl).toBe('data:image/png;base64,5');
    expect(store.thumbAt(THUMB_PAGE * 3)).toBeNull();
    await store.ensureThumbnails(59_990, 60_100); // clipped to the data set
    const last = vi.mocked(api.datasetThumbnails).mock.calls.at(-1)![0];
    expect(last.offset).toBe(Math.floor(59_990 / THUMB_PAGE) * THUMB_PAGE);
  });
});

describe('generate store', () => {
  it('opens a checkpoint, draws a grid, pins seeds and interpolates between them', async () => {
    const g = useGenerateStore();
    g.baseSeed = 10;
    g.count = 4;
    await g.open({ runId: '00001-run', step: null });
    expect(api.generateImages).toHaveBeenCalledWith({ checkpoint: { runId: '00001-run', step: null }, seeds: [10, 11, 12, 13], truncation: 1 });
    expect(g.images.map((i) => i.seed)).toEqual([10, 11, 12, 13]);
    g.togglePin(11);
    expect(g.canInterpolate).toBe(false);
    g.togglePin(13);
    expect(g.pins.map((p) => p.seed)).toEqual([11, 13]);
    expect(g.pins[0].dataUrl).toBe('data:image/png;base64,seed-11');
    g.movePin(1, -1);
    expect(g.pins.map((p) => p.seed)).toEqual([13, 11]);
    g.framesPerSegment = 5;
    await g.interpolate();
    expect(vi.mocked(api.interpolate).mock.calls[0][0]).toMatchObject({ pins: [{ seed: 13 }, { seed: 11 }], framesPerSegment: 5, loop: true });
    expect(g.frames).toHaveLength(10);
    g.togglePin(11); // unpin
    expect(g.pins.map((p) => p.seed)).toEqual([13]);
    expect(g.frames).toEqual([]);
  });

  it('re-rolls to new seeds and saves latents, a PNG, a GIF and a batch', async () => {
    const g = useGenerateStore();
    await g.open({ runId: '00001-run', step: 300 });
    const before = g.baseSeed;
    await g.reroll();
    expect(g.baseSeed).not.toBe(before);
    g.togglePin(g.images[0].seed);
    g.togglePin(g.images[1].seed);
    await g.saveLatents();
    expect(vi.mocked(api.saveLatents).mock.calls[0][0].pins).toHaveLength(2);
    await g.saveImage({ seed: 5 }, 8);
    expect(vi.mocked(api.saveImage).mock.calls[0][0]).toMatchObject({ pin: { seed: 5 }, scale: 8 });
    await g.exportInterpolation('gif', 12);
    expect(vi.mocked(api.exportInterpolation).mock.calls[0][0]).toMatchObject({ format: 'gif', fps: 12 });
    const folder = await g.generateBatch(50);
    expect(folder?.files).toBe(50);
  });

  it('loads pinned latents from JSON and refuses a different latent size', async () => {
    const g = useGenerateStore();
    await g.open({ runId: '00001-run', step: null });
    const file = { format: 'gan-studio-latents', version: 1, latentDim: 8, truncation: 0.7, checkpoint: null, pins: [{ seed: 1, z: [0, 0, 0, 0, 0, 0, 0, 1] }, { seed: 2, z: [1, 0, 0, 0, 0, 0, 0, 0] }], savedAt: '' };
    await g.loadLatents(JSON.stringify(file));
    expect(g.truncation).toBe(0.7);
    expect(g.pins.map((p) => p.z?.length)).toEqual([8, 8]);
    expect(g.pins[0].dataUrl).toBe('data:image/png;base64,f0');
    await g.loadLatents(JSON.stringify({ ...file, latentDim: 100 }));
    expect(g.error).toContain('100 dimensions');
  });

  it('offers no class for an unconditional generator and sends none', async () => {
    const g = useGenerateStore();
    await g.open({ runId: '00001-run', step: null });
    expect(g.isConditional).toBe(false);
    expect(g.classNames).toEqual([]);
    expect(g.className(0)).toBeNull();
    expect(vi.mocked(api.generateImages).mock.calls[0][0]).not.toHaveProperty('class');
    g.togglePin(g.images[0].seed);
    expect(g.pins[0]).not.toHaveProperty('class');
    await g.saveImage({ seed: 5 }, 2);
    expect(vi.mocked(api.saveImage).mock.calls[0][0]).not.toHaveProperty('class');
  });

  it('a conditional generator: class picker, all-classes grid, pins keep their class', async () => {
    const names = ['zero', 'one', 'two'];
    const condMeta = (runId: string) => ({ runId, step: 100, latentDim: 8, resolution: 16, channels: 3, ema: true, numClasses: 3, classNames: names, preset: 'dcgan-28' });
    vi.mocked(api.loadGenerator).mockImplementation(async (req) => condMeta(req.checkpoint.runId));
    vi.mocked(api.generateImages).mockImplementation(async (req) => ({
      meta: condMeta(req.checkpoint.runId),
      images: req.seeds.map((seed, i) => {
        const c = req.classes?.[i] ?? req.class ?? i % 3;
        return { seed, class: c, dataUrl: `data:image/png;base64,seed-${seed}-c${c}` };
      }),
      size: 16,
    }));
    const g = useGenerateStore();
    g.baseSeed = 10;
    g.count = 4;
    await g.open({ runId: '00001-run', step: null });
    expect(g.isConditional).toBe(true);
    expect(g.classNames).toEqual(names);
    // "All classes": the grid cycles through them, each tile labelled.
    expect(vi.mocked(api.generateImages).mock.calls[0][0]).toMatchObject({ seeds: [10, 11, 12, 13], class: null });
    expect(g.images.map((i) => g.className(i.class))).toEqual(['zero', 'one', 'two', 'zero']);
    g.togglePin(11, 1);
    g.togglePin(13, 0);
    expect(g.pins.map((p) => [p.seed, p.class])).toEqual([[11, 1], [13, 0]]);
    expect(g.isPinned(11, 1)).toBe(true);
    expect(g.isPinned(11, 2)).toBe(false);

    await g.setClass(2);
    expect(g.classChoice).toBe(2);
    expect(vi.mocked(api.generateImages).mock.calls.at(-1)![0]).toMatchObject({ seeds: [10, 11, 12, 13], class: 2 });
    expect(g.images.every((i) => i.class === 2)).toBe(true);
    g.togglePin(12); // the tile's class
    expect(g.pins.at(-1)).toMatchObject({ seed: 12, class: 2 });
    await g.setClass(7); // out of range: ignored
    expect(g.classChoice).toBe(2);

    await g.interpolate();
    expect(vi.mocked(api.interpolate).mock.calls[0][0].pins).toEqual([{ seed: 11, class: 1 }, { seed: 13, class: 0 }, { seed: 12, class: 2 }]);
    await g.setTruncation(0.5); // pins redraw with their own classes
    expect(vi.mocked(api.generateImages).mock.calls.at(-1)![0]).toMatchObject({ seeds: [11, 13, 12], classes: [1, 0, 2] });
    expect(g.pins[0].dataUrl).toBe('data:image/png;base64,seed-11-c1');
    await g.saveLatents();
    expect(vi.mocked(api.saveLatents).mock.calls[0][0].pins.map((p) => p.class)).toEqual([1, 0, 2]);
    await g.saveImage(g.pins[0], 4);
    expect(vi.mocked(api.saveImage).mock.calls[0][0]).toMatchObject({ pin: { seed: 11, class: 1 }, class: 2 });
    await g.generateBatch(9);
    expect(vi.mocked(api.generateBatch).mock.calls[0][0]).toMatchObject({ count: 9, class: 2 });

    const file = { format: 'gan-studio-latents', version: 1, latentDim: 8, truncation: 1, checkpoint: null, pins: [{ seed: 1, z: [0, 0, 0, 0, 0, 0, 0, 1], class: 2 }, { seed: 2, z: [1, 0, 0, 0, 0, 0, 0, 0] }], savedAt: '' };
    await g.loadLatents(JSON.stringify(file));
    expect(g.pins.map((p) => p.class)).toEqual([2, undefined]);

    await g.setClass(null);
    expect(g.classChoice).toBeNull();
    expect(vi.mocked(api.generateImages).mock.calls.at(-1)![0]).toMatchObject({ class: null });
  });

  it('gridSeeds wraps at 2^31', () => {
    expect(gridSeeds(2 ** 31 - 2, 3)).toEqual([2 ** 31 - 2, 2 ** 31 - 1, 0]);
  });
});

describe('runs store', () => {
  it('lists runs with thumbnails, compares two, and deletes one', async () => {
    vi.mocked(api.listRuns).mockResolvedValue([summary('00001-a'), summary('00002-b', { lastSampleStep: null })]);
    vi.mocked(api.diffRuns).mockResolvedValue([{ path: 'g.lr', a: 0.0002, b: 0.0004 }]);
    vi.mocked(api.runStats).mockImplementation(async (req) => ({ runId: req.runId, stats: [stat(1)], total: 1 }));
    const r = useRunsStore();
    await r.init();
    await vi.waitFor(() => expect(r.thumbs['00001-a']).toBeDefined());
    expect(r.runs).toHaveLength(2);
    await r.compare('00001-a', '00002-b');
    expect(r.diff).toEqual([{ path: 'g.lr', a: 0.0002, b: 0.0004 }]);
    expect(Object.keys(r.compareStats)).toEqual(['00001-a', '00002-b']);
    expect(await r.remove('00002-b')).toBe(true);
    expect(api.deleteRun).toHaveBeenCalledWith({ runId: '00002-b' });
    expect(r.runs.map((x) => x.id)).toEqual(['00001-a']);
    expect(r.compareIds).toBeNull();
  });

  it('open folder tells where the folder is when it cannot open it (browser mode)', async () => {
    const r = useRunsStore();
    await r.openFolder('00001-a');
    expect(r.notice).toBe('/tmp/runs/00001-a');
  });
});

describe('theme store', () => {
  it('is dark by default, toggles, and remembers the choice', async () => {
    localStorage.removeItem(THEME_STORAGE_KEY);
    const t = useThemeStore();
    expect(t.theme).toBe('dark');
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    t.toggle();
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light');
    expect(document.documentElement.classList.contains('dark')).toBe(false);
    setActivePinia(createPinia());
    expect(useThemeStore().theme).toBe('light');
  });
});
