/**
 * A restart of `gan-studio serve` under an open page: the link drops and
 * comes back, and what the page missed meanwhile (the job ended with the old
 * server, steps went by) is read again, so it shows no stale "paused" job.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useRunsStore } from '@renderer/stores/runs';
import { useTrainingStore } from '@renderer/stores/training';
import type { TrainingState } from '@shared/contract';
import { detail, stat, summary } from '../fixtures';
import { IDLE, type FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

const PAUSED: TrainingState = {
  phase: 'paused',
  jobId: 'j',
  runId: '00003-run',
  step: 40,
  steps: 500,
  backend: 'wasm',
  importProgress: null,
  startedAt: 1,
  stepsThisJob: 40,
};

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
  vi.mocked(api.getRun).mockResolvedValue(detail('00003-run', [40]));
});

afterEach(uninstallFakeApi);

const drop = () => api.setConnection({ connected: false, attempt: 1, error: 'connection refused' });
const back = () => api.setConnection({ connected: true, attempt: 0, error: null });

describe('after the link comes back', () => {
  it('the training store reads the job state and the run on show again', async () => {
    vi.mocked(api.trainingState).mockResolvedValue(PAUSED);
    vi.mocked(api.runStats).mockResolvedValue({ runId: '00003-run', stats: [stat(39), stat(40)], total: 2 });
    const t = useTrainingStore();
    await t.init();
    expect(t.paused).toBe(true);

    // the old server stopped the job (with a checkpoint at 45) and the new one has none
    drop();
    vi.mocked(api.trainingState).mockResolvedValue({ ...IDLE });
    vi.mocked(api.runStats).mockResolvedValue({ runId: '00003-run', stats: [stat(39), stat(40), stat(45)], total: 3 });
    back();
    await vi.waitFor(() => expect(t.stats.map((s) => s.step)).toEqual([39, 40, 45]));
    expect(t.active).toBe(false);
    expect(t.paused).toBe(false);
    expect(t.runId).toBe('00003-run'); // still on show, its status now from the runs list
  });

  it('the first connect of the page reads nothing twice', async () => {
    const t = useTrainingStore();
    await t.init();
    const calls = vi.mocked(api.trainingState).mock.calls.length;
    api.setConnection({ connected: false, attempt: 0, error: null }); // before the hello
    back();
    await Promise.resolve();
    expect(vi.mocked(api.trainingState).mock.calls.length).toBe(calls);
  });

  it('the runs store lists the runs again, and the selected run', async () => {
    vi.mocked(api.listRuns).mockResolvedValue([summary('00003-run', { status: 'paused' })]);
    const runs = useRunsStore();
    await runs.init();
    await runs.select('00003-run');
    expect(runs.runs[0].status).toBe('paused');
    drop();
    vi.mocked(api.listRuns).mockResolvedValue([summary('00003-run', { status: 'stopped' })]);
    const selects = vi.mocked(api.getRun).mock.calls.length;
    back();
    await vi.waitFor(() => expect(runs.runs[0].status).toBe('stopped'));
    expect(vi.mocked(api.getRun).mock.calls.length).toBe(selects + 1);
    runs.dispose();
  });
});
