import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import DatasetStats from '@renderer/components/datasets/DatasetStats.vue';
import { datasetSummary } from '../fixtures';
import { withPinia } from '../setup';

describe('DatasetStats', () => {
  it('says when the options differ from the import', async () => {
    const summary = datasetSummary();
    const wrapper = mount(DatasetStats, { props: { summary, options: { ...summary.options } }, ...withPinia() });
    expect(wrapper.find('.changed').exists()).toBe(false);
    await wrapper.setProps({ options: { ...summary.options, resolution: 64, channels: 3 } });
    expect(wrapper.get('[data-stat="size"]').classes()).toContain('changed');
    expect(wrapper.get('[data-stat="size"]').text()).toContain('now 64², crop: import again');
    expect(wrapper.get('[data-stat="channels"]').text()).toContain('now RGB: import again');
  });

  it('suggests Pad for transparent cut-outs', async () => {
    const summary = datasetSummary({
      count: 300,
      sourceChannels: { gray: 0, grayAlpha: 0, rgb: 10, rgba: 290, other: 0 },
      options: { resolution: 64, channels: 3, resize: 'crop', background: '#ffffff', minSize: 8 },
    });
    const wrapper = mount(DatasetStats, { props: { summary, options: { ...summary.options } }, ...withPinia() });
    expect(wrapper.get('[data-testid="pad-suggestion"]').text()).toContain('transparent cut-outs');
    // the tile's value may be cut short: its hover text lists every layout with its count
    expect(wrapper.get('[data-stat="channels"]').attributes('title')).toBe('RGB: 10, RGBA: 290');
    await wrapper.get('[data-testid="use-pad"]').trigger('click');
    expect(wrapper.emitted('use-pad')).toHaveLength(1);
    await wrapper.setProps({ options: { ...summary.options, resize: 'pad' } });
    expect(wrapper.find('[data-testid="pad-suggestion"]').exists()).toBe(false);
  });
});
