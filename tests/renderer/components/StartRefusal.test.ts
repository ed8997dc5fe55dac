/**
 * A refused Start is readable: the Train view shows the whole message across
 * the view (not in an alert squeezed into the monitor column), names the
 * option it is about, and takes the user to that field.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import { refusalField } from '@renderer/lib/start-refusal';
import { useConfigStore } from '@renderer/stores/config';
import TrainView from '@renderer/views/TrainView.vue';
import { TrainConfigSchema } from '@shared/config';
import { createFakeApi } from '../fake-api';
import { withPiniaAndRouter } from '../setup';

afterEach(() => setApiForTesting(null));

const LONG_DIR = `/home/me/${'very-long-folder-name/'.repeat(8)}pictures`;

async function mountTrain(refuse: string) {
  const api = createFakeApi();
  vi.mocked(api.configSchema).mockResolvedValue({
    jsonSchema: { type: 'object', properties: {} },
    groups: [],
    presets: [
      {
        name: 'dcgan-28',
        description: 'Preset dcgan-28.',
        config: TrainConfigSchema.parse({ preset: 'dcgan-28' }),
      },
    ],
    defaultPreset: 'dcgan-28',
    resumableKeys: ['steps'],
  });
  vi.mocked(api.startTraining).mockRejectedValue(new Error(refuse));
  setApiForTesting(api);
  const opts = withPiniaAndRouter();
  const wrapper = mount(TrainView, {
    attachTo: document.body,
    // the charts draw on a canvas, which happy-dom lacks
    global: { plugins: opts.global.plugins, stubs: { TrainCharts: true } },
  });
  await flushPromises();
  return { wrapper, api, config: useConfigStore() };
}

describe('Start refused', () => {
  it('shows the whole message across the view, naming the option, and opens the setup on that field', async () => {
    const message = 'Invalid option "g.lr" in config: Too big: expected number to be <=1.';
    const { wrapper, config } = await mountTrain(message);
    await wrapper.get('[data-testid="start"]').trigger('click');
    await flushPromises();
    const refusal = wrapper.get('[data-testid="start-refusal"]');
    expect(refusal.get('[data-testid="refusal-message"]').text()).toBe(message);
    expect(refusal.get('[data-testid="refusal-field"]').text()).toBe('g.lr');
    // a row of its own spanning the layout, not an alert inside the monitor column
    expect(refusal.element.parentElement?.classList.contains('layout')).toBe(true);
    expect(refusal.classes()).toContain('refusal-row');
    expect(wrapper.find('.monitor [role="alert"]').exists()).toBe(false);

    await wrapper.get('[aria-label="Hide setup"]').trigger('click');
    expect(wrapper.find('[data-testid="setup"]').exists()).toBe(false);
    await wrapper.get('[data-testid="refusal-show-field"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="setup"]').exists()).toBe(true);
    expect(config.serverErrors['g.lr']).toBe(message); // the field is marked (its section opens for it)

    await wrapper.get('[aria-label="Dismiss"]').trigger('click');
    expect(wrapper.find('[data-testid="start-refusal"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('a refused data folder names data.dir and keeps a long path whole', async () => {
    const message = `The data folder ${LONG_DIR} was not chosen in this session: choose it with Browse first.`;
    const { wrapper } = await mountTrain(message);
    await wrapper.get('[data-testid="start"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="refusal-message"]').text()).toContain(LONG_DIR);
    expect(wrapper.get('[data-testid="refusal-field"]').text()).toBe('data.dir');
    wrapper.unmount();
  });
});

describe('refusalField', () => {
  it('finds the option a line names, and data.dir for folder refusals', () => {
    expect(refusalField('Invalid option "model.resolution" in config: Invalid input.')).toBe('model.resolution');
    expect(refusalField('Unknown option "g.lrr" in config.')).toBe('g.lrr');
    expect(refusalField('No usable images in /x (see report).')).toBe('data.dir');
    expect(refusalField('Invalid option "(root)" in config: bad.')).toBeNull();
    expect(refusalField('Training is already running.')).toBeNull();
  });
});
