/**
 * The stores follow runs trained elsewhere (`runs:follow` + `runs:update`):
 * the Train view's run on show, and in Runs the selected run, the compared
 * runs and every run another process trains. They stop following when the
 * run is no longer shown, or becomes this studio's own job.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useRunsStore } from '@renderer/stores/runs';
import { useTrainingStore } from '@renderer/stores/training';
import { detail, metricsPoint, runningJob, stat, summary } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

const update = (runId: string, extra: Record<string, unknown> = {}) => ({
  runId,
  reset: false,
  stats: [],
  events: [],
  metricsReset: false,
  metrics: [],
  sampleSteps: null,
  checkpointSteps: null,
  status: null,
  ...extra,
});

describe('training store: a run trained elsewhere', () => {
  it('follows the run on show, appends what its trainer writes, and lets go when another run is shown', async () => {
    vi.mocked(api.getRun).mockImplementation(async (req) => detail(req.runId, [0, 10]));
    vi.mocked(api.runStats).mockResolvedValue({ runId: '00001-cli', stats: [stat(1), stat(2)], total: 2 });
    const t = useTrainingStore();
    await t.showRun('00001-cli');
    expect(api.followRun).toHaveBeenCalledWith({ runId: '00001-cli', followerId: expect.any(String) });
    const followerId = vi.mocked(api.followRun).mock.calls[0][0].followerId;

    api.emit('runs:update', update('00001-cli', { stats: [stat(2), stat(3), stat(4)] }));
    expect(t.stats.map((s) => s.step)).toEqual([1, 2, 3, 4]); // step 2 was in the history
    api.emit('runs:update', update('00002-other', { stats: [stat(9)] }));
    expect(t.stats).toHaveLength(4);

    api.emit('runs:update', update('00001-cli', { sampleSteps: [0, 10, 20] }));
    expect(t.samples.map((s) => s.step)).toEqual([0, 10, 20]);
    expect(t.samples[1].src).toBe('data:image/png;base64,sample-10'); // kept
    await vi.waitFor(() => expect(t.samples[2].src).toBe('data:image/png;base64,sample-20')); // the new grid is fetched

    // its evaluations (metrics.jsonl) draw the quality curves live
    api.emit('runs:update', update('00001-cli', { metrics: [metricsPoint(0), metricsPoint(10, { swd: 50 })] }));
    api.emit('runs:update', update('00001-cli', { metrics: [metricsPoint(20, { swd: 40 })] }));
    expect(t.metrics.map((m) => [m.step, m.swd])).toEqual([
      [0, metricsPoint(0).swd],
      [10, 50],
      [20, 40],
    ]);

    // a resume elsewhere cut the run back to step 2
    api.emit('runs:update', update('00001-cli', { reset: true, stats: [stat(1), stat(2)], sampleSteps: [0] }));
    expect(t.stats.map((s) => s.step)).toEqual([1, 2]);
    expect(t.samples.map((s) => s.step)).toEqual([0]);
    api.emit('runs:update', update('00001-cli', { metricsReset: true, metrics: [metricsPoint(0)] }));
    expect(t.metrics.map((m) => m.step)).toEqual([0]);

    await t.showRun('00003-next');
    expect(api.unfollowRun).toHaveBeenCalledWith({ runId: '00001-cli', followerId });
    api.emit('runs:update', update('00001-cli', { stats: [stat(5)] }));
    expect(t.stats.map((s) => s.step)).toEqual([1, 2]); // the history of 00003-next (the fake's), nothing of 00001
    t.dispose();
    expect(api.unfollowRun).toHaveBeenCalledTimes(2);
  });

  it("does not follow this studio's own job (its events stream in), and follows once that job ends", async () => {
    vi.mocked(api.getRun).mockImplementation(async (req) => detail(req.runId, []));
    const running = runningJob('00001-own', 2, 100);
    vi.mocked(api.trainingState).mockResolvedValue(running);
    const t = useTrainingStore();
    await t.init();
    expect(t.isLive).toBe(true);
    expect(api.followRun).not.toHaveBeenCalled();
    api.emit('training:state', { ...running, phase: 'idle', runId: null, jobId: null });
    expect(api.followRun).toHaveBeenCalledWith({ runId: '00001-own', followerId: expect.any(String) });
  });

  it('renews the lease before it runs out', async () => {
    vi.useFakeTimers();
    vi.mocked(api.followRun).mockResolvedValue({ leaseMs: 3000 });
    vi.mocked(api.getRun).mockImplementation(async (req) => detail(req.runId, []));
    const t = useTrainingStore();
    await t.showRun('00001-cli');
    expect(api.followRun).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1100);
    expect(api.followRun).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1100);
    expect(api.followRun).toHaveBeenCalledTimes(3);
    t.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(api.followRun).toHaveBeenCalledTimes(3);
  });
});

describe('runs store: runs trained elsewhere', () => {
  it('follows runs another process trains, and their row, detail and comparison update', async () => {
    vi.mocked(api.listRuns).mockResolvedValue([
      summary('00002-cli', { status: 'running', step: 0, steps: 400, lastSampleStep: null }),
      summary('00001-done'),
    ]);
    vi.mocked(api.runStats).mockImplementation(async (req) => ({ runId: req.runId, stats: [stat(1)], total: 1 }));
    const r = useRunsStore();
    await r.init();
    expect(r.followedIds).toEqual(['00002-cli']);
    expect(api.followRun).toHaveBeenCalledWith({ runId: '00002-cli', followerId: expect.any(String) });

    api.emit('runs:update', update('00002-cli', { stats: [stat(7), stat(8)], sampleSteps: [8] }));
    expect(r.runs[0]).toMatchObject({ id: '00002-cli', step: 8, lastSampleStep: 8 });
    await vi.waitFor(() => expect(r.thumbs['00002-cli']).toBe('data:image/png;base64,sample-8'));

    await r.compare('00002-cli', '00001-done');
    expect(r.followedIds).toEqual(['00001-done', '00002-cli']);
    api.emit('runs:update', update('00002-cli', { stats: [stat(1), stat(9)], sampleSteps: [8, 12] }));
    expect(r.compareStats['00002-cli'].map((s) => s.step)).toEqual([1, 9]);
    expect(r.compareSampleSteps['00002-cli']).toEqual([8, 12]);
    api.emit('runs:update', update('00002-cli', { metrics: [metricsPoint(10, { kid: 3 })] }));
    expect(r.compareMetrics['00002-cli'].map((m) => [m.step, m.kid])).toEqual([[10, 3]]);
    vi.mocked(api.getRun).mockImplementation(async (req) => detail(req.runId, [8, 12]));
    await r.select('00002-cli');
    api.emit('runs:update', update('00002-cli', { metrics: [metricsPoint(20)] }));
    expect(r.detailMetrics.map((m) => m.step)).toContain(20);
    expect(r.compareMetrics['00002-cli'].map((m) => m.step)).toEqual([10, 20]);
    await r.select(null);

    // its trainer died: the row says so, and it is no longer followed unless shown
    api.emit('runs:update', update('00002-cli', { status: 'interrupted' }));
    expect(r.runs[0].status).toBe('interrupted');
    r.clearCompare();
    expect(r.followedIds).toEqual([]);
    expect(api.unfollowRun).toHaveBeenCalledTimes(2);
  });
});
