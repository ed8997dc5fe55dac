/** Generate's memorization check: the nearest button asks for a sample's neighbours; the panel shows both rows with distances, or the error line. */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import NearestPanel from '@renderer/components/generate/NearestPanel.vue';
import { NEAREST_K, useNearestStore } from '@renderer/stores/nearest';
import { createFakeApi } from '../fake-api';
import { withPinia } from '../setup';

afterEach(() => setApiForTesting(null));

describe('NearestPanel', () => {
  it('shows the sample beside its nearest training images in features and pixels, with distances', async () => {
    const api = createFakeApi();
    setApiForTesting(api);
    const opts = withPinia();
    const nearest = useNearestStore();
    const wrapper = mount(NearestPanel, opts);
    expect(wrapper.find('[data-testid="nearest-panel"]').exists()).toBe(false);
    await nearest.find({ runId: '00001-a', step: 300 }, { seed: 5 }, 0.8);
    await flushPromises();
    expect(api.nearestImages).toHaveBeenCalledWith({
      checkpoint: { runId: '00001-a', step: 300 },
      pin: { seed: 5 },
      truncation: 0.8,
      k: NEAREST_K,
      scale: 2,
    });
    const features = wrapper.get('[data-testid="nearest-features"]');
    expect(features.findAll('img').map((i) => i.attributes('src'))).toEqual([
      'data:image/png;base64,sample-5',
      'data:image/png;base64,train-7',
    ]);
    expect(features.text()).toContain('#7 · d 1.5');
    expect(wrapper.get('[data-testid="nearest-pixels"]').text()).toContain('#9 · d 0.25');
    expect(wrapper.text()).toContain('Among 2,700 training images');
    await wrapper.get('[data-testid="nearest-close"]').trigger('click');
    expect(wrapper.find('[data-testid="nearest-panel"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('a run whose data set moved shows the backend’s line', async () => {
    const api = createFakeApi();
    vi.mocked(api.nearestImages).mockRejectedValue(
      new Error('Cannot read the data set this run trained on (/gone): folder not found.'),
    );
    setApiForTesting(api);
    const opts = withPinia();
    const nearest = useNearestStore();
    const wrapper = mount(NearestPanel, opts);
    await nearest.find({ runId: '00001-a' }, { seed: 1 }, 1);
    await flushPromises();
    expect(wrapper.get('[data-testid="nearest-error"]').text()).toContain(
      'Cannot read the data set this run trained on',
    );
    expect(nearest.result).toBeNull();
    wrapper.unmount();
  });
});
