/** Quality charts: a chart per metric with the newest value, the evaluations' cost, and a collapse warning; the SWD overlay of compared runs. */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import QualityCharts from '@renderer/components/train/QualityCharts.vue';
import { metricsPoint } from '../fixtures';
import { withPinia } from '../setup';

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
});
