/** Quality charts: a chart per metric with the newest value, the evaluations' cost, and a collapse warning; the SWD overlay of compared runs. */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import QualityCharts from '@renderer/components/train/QualityCharts.vue';
import RunsCompare from '@renderer/components/run/RunsCompare.vue';
import { useRunsStore } from '@renderer/stores/runs';
import { createFakeApi } from '../fake-api';
import { detail, metricsPoint, stat } from '../fixtures';
import { withPinia } from '../setup';

afterEach(() => setApiForTesting(null));

describe('QualityCharts', () => {
  it('shows SWD, KID and diversity with the newest values, the cost, and warns when diversity collapses', () => {
    const opts = withPinia();
    const wrapper = mount(QualityCharts, {
      props: { metrics: [metricsPoint(0), metricsPoint(1000, { swd: 42.25, kid: 3.5, diversity: 0.2, seconds: 4 })] },
      global: { ...opts.global, stubs: { TimeSeriesChart: true } },
    });
    expect(wrapper.get('[data-testid="last-swd"]').text()).toBe('42.3');
    expect(wrapper.get('[data-testid="last-kid"]').text()).toBe('3.5');
    expect(wrapper.get('[data-testid="last-diversity"]').text()).toBe('0.2');
    expect(wrapper.get('[data-testid="metrics-cost"]').text()).toContain('Last evaluation 4 s (256 samples');
    expect(wrapper.get('[data-testid="metrics-warning"]').text()).toMatch(/Diversity is 0\.2 at step 1,000/);
    wrapper.unmount();
  });

  it('shows the copying score, and warns with what to do when it is high', () => {
    const opts = withPinia();
    const wrapper = mount(QualityCharts, {
      props: { metrics: [metricsPoint(0, { copying: 0.05 }), metricsPoint(500, { copying: 0.04 })] },
      global: { ...opts.global, stubs: { TimeSeriesChart: true } },
    });
    expect(wrapper.get('[data-testid="metrics-copying"]').text()).toMatch(/^Copying 4% at step 500/);
    expect(wrapper.find('[data-testid="metrics-warning"]').exists()).toBe(false);
    wrapper.setProps({ metrics: [metricsPoint(0, { copying: 0.05 }), metricsPoint(900, { copying: 0.62 })] });
    return wrapper.vm.$nextTick().then(() => {
      expect(wrapper.get('[data-testid="metrics-copying"]').text()).toMatch(/^Copying 62% at step 900/);
      const warning = wrapper.get('[data-testid="metrics-warning"]').text();
      expect(warning).toMatch(/Copying score 62% at step 900/);
      expect(warning).toMatch(/earlier checkpoint, more augmentation/);
      wrapper.unmount();
    });
  });

  it('says when a run has no evaluation yet, with no warning', () => {
    const opts = withPinia();
    const wrapper = mount(QualityCharts, {
      props: { metrics: [] },
      global: { ...opts.global, stubs: { TimeSeriesChart: true } },
    });
    expect(wrapper.text()).toContain('No evaluation yet');
    expect(wrapper.find('[data-testid="metrics-warning"]').exists()).toBe(false);
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
    setApiForTesting(api);
    const opts = withPinia();
    const runs = useRunsStore();
    const ids = ['00001-a', '00002-b', '00003-c'];
    await runs.compare(...ids);
    const wrapper = mount(RunsCompare, {
      props: { ids },
      global: { ...opts.global, stubs: { TimeSeriesChart: true } },
    });
    await flushPromises();
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
