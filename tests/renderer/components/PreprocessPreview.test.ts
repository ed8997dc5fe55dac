import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import PreprocessPreview from '@renderer/components/datasets/PreprocessPreview.vue';
import { LIVE_PREVIEW_DELAY_MS } from '@renderer/lib/dataset-options';
import { useDatasetsStore } from '@renderer/stores/datasets';
import { createFakeApi } from '../fake-api';
import { withPinia } from '../setup';

afterEach(() => {
  setApiForTesting(null);
  vi.useRealTimers();
});

describe('PreprocessPreview', () => {
  it('follows the options live once shown, one request per pause', async () => {
    vi.useFakeTimers();
    const api = createFakeApi();
    setApiForTesting(api);
    const wrapper = mount(PreprocessPreview, withPinia());
    const ds = useDatasetsStore();
    ds.options.resolution = 48;
    await vi.advanceTimersByTimeAsync(LIVE_PREVIEW_DELAY_MS * 2);
    expect(api.previewPreprocessing).not.toHaveBeenCalled(); // not asked for yet

    await ds.loadPreview();
    expect(api.previewPreprocessing).toHaveBeenCalledTimes(1);
    ds.options.resolution = 32;
    await flushPromises();
    ds.options.resize = 'pad';
    await flushPromises();
    await vi.advanceTimersByTimeAsync(LIVE_PREVIEW_DELAY_MS + 10);
    expect(api.previewPreprocessing).toHaveBeenCalledTimes(2);
    expect(vi.mocked(api.previewPreprocessing).mock.calls[1][0].options).toMatchObject({
      resolution: 32,
      resize: 'pad',
    });
    wrapper.unmount();
  });
});
