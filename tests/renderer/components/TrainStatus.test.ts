/**
 * Train's status strip while this studio's job trains one run and the user
 * looks at another (opened from Runs): the other run stays on show as the job
 * reports on, its chip says its own status (not the job's "running"), and a
 * button leads back to the job's run.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { getActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import TrainStatus from '@renderer/components/train/TrainStatus.vue';
import { useTrainingStore } from '@renderer/stores/training';
import type { TrainingState } from '@shared/contract';
import { detail, runningJob, stat, summary } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from '../stores/setup';

const job = (step: number, extra: Partial<TrainingState> = {}): TrainingState =>
  runningJob('00002-live', step, 500, extra);

const RUNS = {
  '00001-old': summary('00001-old', { status: 'finished', step: 300, steps: 300 }),
  '00002-live': summary('00002-live', { status: 'running', step: 10, steps: 500, live: true }),
};

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
  vi.mocked(api.getRun).mockImplementation(async ({ runId }) => ({
    ...detail(runId, [0]),
    summary: RUNS[runId as keyof typeof RUNS],
  }));
  vi.mocked(api.runStats).mockImplementation(async ({ runId }) => ({ runId, stats: [stat(1)], total: 1 }));
  vi.mocked(api.trainingState).mockResolvedValue(job(10));
});

afterEach(uninstallFakeApi);

async function mountStatus() {
  const t = useTrainingStore();
  await t.init();
  const wrapper = mount(TrainStatus, {
    props: { run: RUNS[t.runId as keyof typeof RUNS] ?? null, setupOpen: true },
    global: { plugins: [getActivePinia()!] },
  });
  await flushPromises();
  return { t, wrapper };
}

describe('TrainStatus while the job trains another run', () => {
  it("the live run's chip is the job's phase, with no way back to show", async () => {
    const { t, wrapper } = await mountStatus();
    expect(t.runId).toBe('00002-live');
    expect(wrapper.get('[data-testid="phase"]').text()).toBe('running');
    expect(wrapper.find('[data-testid="show-live-run"]').exists()).toBe(false);
  });

  it('a run opened meanwhile stays on show as the job reports, says its own status, and leads back', async () => {
    const { t, wrapper } = await mountStatus();
    await t.showRun('00001-old');
    await wrapper.setProps({ run: RUNS['00001-old'] });
    for (const step of [11, 12, 13]) api.emit('training:state', job(step));
    await flushPromises();
    expect(t.runId).toBe('00001-old'); // not snapped back to the job's run
    expect(wrapper.get('[data-testid="phase"]').text()).toBe('finished');
    const back = wrapper.get('[data-testid="show-live-run"]');
    expect(back.text()).toBe('Training 00002-live: show it');
    await back.trigger('click');
    await flushPromises();
    expect(t.runId).toBe('00002-live');
    expect(t.isLive).toBe(true);
  });

  it("a new job's run still goes on show by itself once the job has one", async () => {
    const { t } = await mountStatus();
    await t.showRun('00001-old');
    api.emit('training:state', { ...job(0), phase: 'idle', runId: null, jobId: null });
    api.emit('training:state', job(0, { phase: 'importing', runId: null, jobId: 'k' }));
    expect(t.runId).toBe('00001-old');
    api.emit('training:state', job(0, { jobId: 'k', runId: '00002-live' }));
    await flushPromises();
    expect(t.runId).toBe('00002-live');
  });

  it('while a new job imports (no run yet) the chip says so, over the run on show', async () => {
    const { t, wrapper } = await mountStatus();
    await t.showRun('00001-old');
    await wrapper.setProps({ run: RUNS['00001-old'] });
    api.emit('training:state', job(0, { phase: 'importing', runId: null, jobId: 'k' }));
    await flushPromises();
    expect(wrapper.get('[data-testid="phase"]').text()).toBe('importing');
    expect(wrapper.find('[data-testid="show-live-run"]').exists()).toBe(false);
  });
});

describe('TrainStatus for a run another process trains', () => {
  it('shows an ETA from its followed steps, and none once it stopped', async () => {
    vi.mocked(api.trainingState).mockResolvedValue({ ...job(0), phase: 'idle', runId: null, jobId: null });
    const cli = summary('00004-cli', { status: 'running', step: 200, steps: 1200, live: false });
    vi.mocked(api.getRun).mockResolvedValue({ ...detail('00004-cli', [0]), summary: cli });
    // 100 ms a step (fixtures' stat times): 1000 steps to go take 100 s
    vi.mocked(api.runStats).mockResolvedValue({
      runId: '00004-cli',
      stats: Array.from({ length: 50 }, (_, i) => stat(151 + i)),
      total: 50,
    });
    const t = useTrainingStore();
    await t.init();
    await t.showRun('00004-cli');
    const wrapper = mount(TrainStatus, {
      props: { run: cli, setupOpen: true },
      global: { plugins: [getActivePinia()!] },
    });
    await flushPromises();
    expect(wrapper.get('[data-testid="phase"]').text()).toBe('running');
    expect(wrapper.get('[data-testid="eta"]').text()).toBe('1m 40s');
    await wrapper.setProps({ run: { ...cli, status: 'stopped' } });
    expect(wrapper.get('[data-testid="eta"]').text()).toBe('—');
  });
});
