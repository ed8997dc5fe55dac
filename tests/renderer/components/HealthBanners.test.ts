import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import HealthBanners from '@renderer/components/HealthBanners.vue';
import { checkHealth } from '@renderer/lib/health';
import { withPinia } from '../setup';

describe('HealthBanners', () => {
  it('shows one banner per issue and hides a dismissed one', async () => {
    const stats = Array.from({ length: 80 }, (_, i) => ({
      step: i + 1,
      lossD: 0.001,
      lossG: 5,
      dReal: 1,
      dFake: 0,
      gradNormD: i === 79 ? 150 : 1,
      gradNormG: 1,
    }));
    const wrapper = mount(HealthBanners, { props: { issues: checkHealth(stats) }, ...withPinia() });
    expect(wrapper.findAll('[data-health]').map((w) => w.attributes('data-health'))).toEqual([
      'd-collapse',
      'grad-explode',
    ]);
    expect(wrapper.text()).toContain('Discriminator loss near 0 for 80 steps');
    await wrapper.get('[data-health="d-collapse"] .el-alert__close-btn').trigger('click');
    await nextTick();
    expect(wrapper.findAll('[data-health]').map((w) => w.attributes('data-health'))).toEqual(['grad-explode']);
  });
});
