import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useTrainingStore } from '@renderer/stores/training';
import { TrainConfigSchema } from '@shared/config';
import { detail, runningJob, stat } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

describe('training store', () => {
  it('loads a live run, then appends streamed steps and samples', async () => {
    vi.mocked(api.trainingState).mockResolvedValue(runningJob('00001-run', 2, 100));
    vi.mocked(api.getRun).mockResolvedValue(detail('00001-run', [0, 1]));
    vi.mocked(api.runStats).mockResolvedValue({ runId: '00001-run', stats: [stat(1), stat(2)], total: 2 });
    const t = useTrainingStore();
    await t.init();
    expect(t.runId).toBe('00001-run');
    expect(t.loss).toBe('nonsaturating'); // the run's loss decides how its curves read
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

    api.emit('training:state', runningJob('00001-run', 4, 100));
    expect(t.isLive).toBe(true);
    expect(t.stepsPerSec).toBeCloseTo(10); // 100 ms per step
    expect(t.eta).toBeCloseTo(9.6);
  });

  it('a rollback drops the steps trained again and becomes a marker; history brings its events', async () => {
    vi.mocked(api.getRun).mockResolvedValue(detail('00001-run', []));
    const rollback = (step: number, n: number) => ({
      type: 'rollback' as const,
      step,
      fromStep: 7,
      checkpoint: null,
      reason: 'a loss is NaN at step 7',
      rollback: n,
      lrScale: 0.5 ** n,
      time: 0,
    });
    vi.mocked(api.runStats).mockResolvedValue({
      runId: '00001-run',
      stats: [stat(1), stat(2)],
      total: 2,
      events: [rollback(1, 1)],
    });
    const t = useTrainingStore();
    await t.init();
    await t.showRun('00001-run');
    expect(t.events.map((e) => e.rollback)).toEqual([1]);
    api.emit('training:event', {
      type: 'steps',
      jobId: 'j',
      runId: '00001-run',
      stats: [stat(3), stat(4), stat(5), stat(6), stat(7)],
    });
    api.emit('training:event', { type: 'rollback', jobId: 'j', runId: '00001-run', event: rollback(4, 2) });
    expect(t.stats.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(t.events.map((e) => [e.step, e.rollback])).toEqual([
      [1, 1],
      [4, 2],
    ]);
    api.emit('training:event', { type: 'steps', jobId: 'j', runId: '00001-run', stats: [stat(5)] });
    expect(t.stats.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a resume from an earlier checkpoint drops the killed segment's stats and sample grids", async () => {
    vi.mocked(api.getRun).mockResolvedValue(detail('00003-run', [100, 200, 300]));
    vi.mocked(api.runStats).mockResolvedValue({
      runId: '00003-run',
      stats: [stat(100), stat(200), stat(300)],
      total: 3,
    });
    const t = useTrainingStore();
    await t.init();
    await t.showRun('00003-run');
    expect(t.samples.map((s) => s.step)).toEqual([100, 200, 300]);
    api.emit('training:event', {
      type: 'started',
      jobId: 'j',
      runId: '00003-run',
      step: 200,
      steps: 400,
      backend: 'wasm',
      resumedFrom: 200,
    });
    expect(t.stats.map((s) => s.step)).toEqual([100, 200]);
    expect(t.samples.map((s) => s.step)).toEqual([100, 200]); // the grid of step 300 came from the killed segment
  });

  it('derives health issues from the streamed stats', async () => {
    const t = useTrainingStore();
    await t.init();
    t.runId = '00001-run';
    api.emit('training:event', {
      type: 'steps',
      jobId: 'j',
      runId: '00001-run',
      stats: [stat(1), stat(2, { gradNormD: 300 })],
    });
    expect(t.health.map((i) => i.id)).toEqual(['grad-explode']);
    api.emit('training:event', {
      type: 'steps',
      jobId: 'j',
      runId: '00001-run',
      stats: [stat(3, { lossD: Number.NaN })],
    });
    expect(t.health[0].id).toBe('nan');
  });

  it('records a dead training process and resumes the run from its checkpoint', async () => {
    vi.mocked(api.getRun).mockResolvedValue(detail('00002-run', []));
    const t = useTrainingStore();
    await t.init();
    api.emit('training:event', {
      type: 'died',
      jobId: 'j',
      runId: '00002-run',
      reason: 'out of memory',
      exitCode: null,
      signal: 'SIGKILL',
      lastCheckpointStep: 500,
      canResume: true,
    });
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
