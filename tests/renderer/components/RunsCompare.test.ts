import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import RunsCompare from '@renderer/components/run/RunsCompare.vue';
import { useRunsStore } from '@renderer/stores/runs';
import { createFakeApi, type FakeApi } from '../fake-api';
import { detail, metricsPoint, stat } from '../fixtures';
import { withPinia } from '../setup';

afterEach(() => setApiForTesting(null));

/** Three runs compared, RunsCompare mounted on them (after their loads settle). */
async function mountCompare(api: FakeApi) {
  setApiForTesting(api);
  const opts = withPinia();
  const runs = useRunsStore();
  const ids = ['00001-a', '00002-b', '00003-c'];
  await runs.compare(...ids);
  // the chart draws on a canvas, which happy-dom lacks; its options are tested in charts tests
  const wrapper = mount(RunsCompare, {
    props: { ids },
    global: { ...opts.global, stubs: { TimeSeriesChart: true } },
  });
  await flushPromises();
  return { wrapper, runs, ids };
}

describe('RunsCompare', () => {
  it('shows three runs in distinct colours with their samples side by side at one step', async () => {
    const api = createFakeApi();
    vi.mocked(api.getRun).mockImplementation(async ({ runId }) =>
      detail(runId, runId === '00003-c' ? [100] : [100, 200]),
    );
    vi.mocked(api.runStats).mockImplementation(async (req) => ({
      runId: req.runId,
      stats: [stat(1), stat(2)],
      total: 2,
    }));
    const { wrapper, ids } = await mountCompare(api);
    const chips = wrapper.findAll('.run-chip .run-swatch').map((w) => w.classes().find((c) => c.startsWith('tt-c')));
    expect(new Set(chips).size).toBe(3); // a colour per run
    const figures = wrapper.findAll('[data-testid="compare-samples"] figure');
    expect(figures.map((f) => f.attributes('data-run'))).toEqual(ids);
    expect(wrapper.get('[data-testid="compare-samples"]').text()).toContain('Samples at step 200');
    expect(figures[2].text()).toContain('step 100'); // the newest grid of that run at or before 200
    expect(figures[0].find('img').attributes('src')).toBe('data:image/png;base64,sample-200');
    wrapper.unmount();
  });

  it('overlays the compared runs’ SWD, one curve per run in its colour, with each run’s evaluation cost', async () => {
    const api = createFakeApi();
    vi.mocked(api.getRun).mockImplementation(async ({ runId }) => detail(runId, [100]));
    vi.mocked(api.runStats).mockImplementation(async ({ runId }) => ({
      runId,
      stats: [stat(1)],
      total: 1,
      metrics: runId === '00002-b' ? [] : [metricsPoint(0), metricsPoint(100, { swd: runId === '00001-a' ? 70 : 50 })],
    }));
    const { wrapper, runs } = await mountCompare(api);
    await wrapper.get('[data-testid="overlay-swd"] input').setValue(true);
    await flushPromises();
    const chart = wrapper.findComponent({ name: 'TimeSeriesChart' });
    const series = chart.props('series') as { name: string; y: number[]; color: number }[];
    expect(series.map((s) => [s.name, s.y, s.color])).toEqual([
      ['SWD ×10³ · 00001-a', [100, 70], 0],
      ['SWD ×10³ · 00002-b', [], 1],
      ['SWD ×10³ · 00003-c', [100, 50], 2],
    ]);
    const costs = wrapper.findAll('[data-testid="compare-cost"]').map((c) => c.text());
    expect(costs[0]).toContain('00001-a: Last evaluation 2 s');
    expect(costs[1]).toContain('00002-b: no quality evaluation in this run');
    wrapper.unmount();
    runs.dispose();
  });
});
