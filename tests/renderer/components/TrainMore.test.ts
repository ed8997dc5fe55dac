import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import TrainMore from '@renderer/components/run/TrainMore.vue';
import { createFakeApi } from '../fake-api';
import { detail, summary } from '../fixtures';
import { withPinia } from '../setup';

afterEach(() => setApiForTesting(null));

describe('TrainMore', () => {
  it('resumes a finished run with a longer length, not with 0 steps to go', async () => {
    const api = createFakeApi();
    vi.mocked(api.getRun).mockResolvedValue(detail('00001-run', [300]));
    setApiForTesting(api);
    const run = summary('00001-run', { step: 300, steps: 300, status: 'finished' });
    const wrapper = mount(TrainMore, { props: { run }, ...withPinia() });
    const button = wrapper.get('[data-testid="train-more-button"]');
    expect(button.text()).toBe('Train 300 more steps');
    wrapper.findComponent({ name: 'ElInputNumber' }).vm.$emit('update:modelValue', 500);
    await flushPromises();
    await wrapper.get('[data-testid="train-more-button"]').trigger('click');
    await flushPromises();
    expect(api.resumeRun).toHaveBeenCalledWith({ runId: '00001-run', changes: { steps: 800 } });
    expect(wrapper.emitted('started')?.[0]).toEqual(['job-2']);
  });

  it('starts again from the length of a run put on show in its place', async () => {
    setApiForTesting(createFakeApi());
    const first = summary('00002-long', { step: 420, steps: 420 });
    const wrapper = mount(TrainMore, { props: { run: first }, ...withPinia() });
    wrapper.findComponent({ name: 'ElInputNumber' }).vm.$emit('update:modelValue', 50);
    await flushPromises();
    expect(wrapper.get('[data-testid="train-more-button"]').text()).toBe('Train 50 more steps');
    await wrapper.setProps({ run: { ...first, steps: 440, step: 440 } }); // the same run, longer: the edit stays
    expect(wrapper.get('[data-testid="train-more-button"]').text()).toBe('Train 50 more steps');
    await wrapper.setProps({ run: summary('00006-hinge', { step: 150, steps: 150 }) });
    expect(wrapper.get('[data-testid="train-more-button"]').text()).toBe('Train 150 more steps');
  });
});
