/**
 * Train's "No usable images … (see report)": a button imports that folder in
 * Datasets with the run's options, which opens on the report of why each
 * file was skipped (Train had no way to it).
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import TrainAlerts from '@renderer/components/train/TrainAlerts.vue';
import { useConfigStore } from '@renderer/stores/config';
import { useDatasetsStore } from '@renderer/stores/datasets';
import { useTrainingStore } from '@renderer/stores/training';
import { TrainConfigSchema } from '@shared/config';
import { createFakeApi } from '../fake-api';
import { datasetSummary } from '../fixtures';
import { withPiniaAndRouter } from '../setup';

afterEach(() => setApiForTesting(null));

async function mountAlerts() {
  const api = createFakeApi();
  setApiForTesting(api);
  const opts = withPiniaAndRouter();
  const { router } = opts;
  await router.push('/train');
  const wrapper = mount(TrainAlerts, { global: { plugins: opts.global.plugins } });
  return { api, router, wrapper };
}

describe('TrainAlerts', () => {
  it("a failed import's '(see report)' opens that folder's report in Datasets, imported with the run's options", async () => {
    const { api, router, wrapper } = await mountAlerts();
    const failed = datasetSummary({
      dir: '/pics/bad',
      count: 0,
      skippedCount: 4,
      error: 'No usable images in /pics/bad: 4 files skipped (see report)',
    });
    vi.mocked(api.importDataset).mockResolvedValue(failed);
    const config = useConfigStore();
    config.values = TrainConfigSchema.parse({
      preset: 'dcgan-28',
      data: { dir: '/pics/bad', resize: 'pad', minSize: 12 },
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1 },
    }) as unknown as Record<string, unknown>;
    const training = useTrainingStore();
    training.error = 'No usable images in /pics/bad: 4 files skipped (see report)';
    await flushPromises();
    await wrapper.get('[data-testid="open-import-report"]').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/datasets');
    expect(api.importDataset).toHaveBeenCalledWith(
      expect.objectContaining({
        dir: '/pics/bad',
        options: expect.objectContaining({ resolution: 28, channels: 1, resize: 'pad', minSize: 12 }),
      }),
    );
    expect(useDatasetsStore().current?.skippedCount).toBe(4);
  });

  it('other errors get no such button', async () => {
    const { wrapper } = await mountAlerts();
    useTrainingStore().error = 'out of memory';
    await flushPromises();
    expect(wrapper.text()).toContain('out of memory');
    expect(wrapper.find('[data-testid="open-import-report"]').exists()).toBe(false);
  });
});
