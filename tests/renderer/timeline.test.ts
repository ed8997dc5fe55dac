import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import SampleTimeline from '@renderer/components/SampleTimeline.vue';
import { sampleAtStep, sampleIndexAtStep, upsertSample } from '@renderer/lib/timeline';
import { withPinia } from './setup';

const samples = [100, 200, 300, 400].map((step) => ({ step, src: `data:image/png;base64,s${step}` }));

describe('sampleAtStep', () => {
  it('picks the newest grid saved at or before the step', () => {
    expect(sampleAtStep(samples, 100)?.step).toBe(100);
    expect(sampleAtStep(samples, 199)?.step).toBe(100);
    expect(sampleAtStep(samples, 200)?.step).toBe(200);
    expect(sampleAtStep(samples, 399)?.step).toBe(300);
    expect(sampleAtStep(samples, 10_000)?.step).toBe(400);
  });

  it('shows the first grid before any was saved, and nothing without grids', () => {
    expect(sampleAtStep(samples, 5)?.step).toBe(100);
    expect(sampleAtStep([], 5)).toBeNull();
    expect(sampleIndexAtStep([], 5)).toBe(-1);
    expect(sampleIndexAtStep(samples, 250)).toBe(1);
  });

  it('works on long timelines (binary search)', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ step: (i + 1) * 50 }));
    expect(sampleAtStep(many, 123_456)?.step).toBe(123_450);
  });

  it('upsertSample keeps the list sorted and replaces a step', () => {
    let list = upsertSample([], { step: 300, src: 'a' });
    list = upsertSample(list, { step: 100, src: 'b' });
    list = upsertSample(list, { step: 200, src: 'c' });
    list = upsertSample(list, { step: 100, src: 'd' });
    expect(list).toEqual([
      { step: 100, src: 'd' },
      { step: 200, src: 'c' },
      { step: 300, src: 'a' },
    ]);
  });
});

describe('SampleTimeline', () => {
  it('follows the newest grid, scrubs back with the slider, and returns with "Latest"', async () => {
    const wrapper = mount(SampleTimeline, { props: { samples }, ...withPinia() });
    const img = () => wrapper.get('[data-testid="sample-grid"]');
    expect(img().attributes('data-step')).toBe('400');
    expect(img().attributes('src')).toBe(samples[3].src);

    // the slider emits a step; the grid at or before it shows
    const slider = wrapper.findComponent({ name: 'ElSlider' });
    slider.vm.$emit('update:modelValue', 250);
    await nextTick();
    expect(img().attributes('data-step')).toBe('200');
    expect(wrapper.get('[data-testid="timeline-label"]').text()).toBe('step 200 · 2/4');
    expect(wrapper.emitted('show')?.at(-1)).toEqual([200]);

    // a new grid arrives while scrubbed: stay on the chosen one
    await wrapper.setProps({ samples: [...samples, { step: 500, src: 'data:image/png;base64,s500' }] });
    expect(img().attributes('data-step')).toBe('200');

    const latest = wrapper.findAll('button').find((b) => b.text() === 'Latest')!;
    await latest.trigger('click');
    expect(img().attributes('data-step')).toBe('500');
  });

  it('steps grid by grid with the arrows', async () => {
    const wrapper = mount(SampleTimeline, { props: { samples }, ...withPinia() });
    const prev = wrapper.get('[aria-label="Previous grid"]');
    await prev.trigger('click');
    await prev.trigger('click');
    expect(wrapper.get('[data-testid="sample-grid"]').attributes('data-step')).toBe('200');
  });

  it('says so when there is no grid yet', () => {
    const wrapper = mount(SampleTimeline, { props: { samples: [] }, ...withPinia() });
    expect(wrapper.text()).toContain('No sample grid yet');
  });
});

describe('SampleTimeline lightbox', () => {
  it('opens the grid large on click, says its step, and pages through the grids', async () => {
    const wrapper = mount(SampleTimeline, { props: { samples }, attachTo: document.body, ...withPinia() });
    expect(document.querySelector('[data-testid="lightbox"]')).toBeNull();
    await wrapper.get('[data-testid="sample-grid"]').trigger('click');
    await nextTick();
    await nextTick();
    const box = () => document.querySelector('[data-testid="lightbox"] img');
    expect(box()?.getAttribute('data-step')).toBe('400');
    expect(document.querySelector('[data-testid="lightbox-label"]')?.textContent).toBe('step 400 · grid 4 of 4');
    (document.querySelector('[data-testid="lightbox-prev"]') as HTMLButtonElement).click();
    await nextTick();
    expect(box()?.getAttribute('data-step')).toBe('300');
    // The keys work wherever the focus is (the dialog takes it when it opens, not the image).
    const press = (key: string) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    press('ArrowLeft');
    await nextTick();
    expect(box()?.getAttribute('data-step')).toBe('200');
    press('ArrowRight');
    await nextTick();
    expect(box()?.getAttribute('data-step')).toBe('300');
    wrapper.unmount();
  });
});
