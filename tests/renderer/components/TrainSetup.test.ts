import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import TrainSetup from '@renderer/components/train/TrainSetup.vue';
import { useConfigStore } from '@renderer/stores/config';
import { useFolderPickerStore } from '@renderer/stores/folder-picker';
import { TrainConfigSchema } from '@shared/config';
import type { DatasetSummary } from '@shared/contract';
import { createFakeApi } from '../fake-api';
import { withPiniaAndRouter } from '../setup';

const preset = (name: string, model: Record<string, unknown>) => ({
  name,
  description: `Preset ${name}.`,
  config: TrainConfigSchema.parse({ preset: name, model }),
});

/** A 300-image colour folder at 64², as "Use for training" hands it over. */
const colourFolder = {
  dir: '/pics',
  count: 300,
  options: { resolution: 64, channels: 3, resize: 'pad', background: '#ffffff', minSize: 8 },
} as DatasetSummary;

async function mountSetup(jsonSchema: Record<string, unknown> = { type: 'object', properties: {} }) {
  const api = createFakeApi();
  vi.mocked(api.configSchema).mockResolvedValue({
    jsonSchema,
    groups: [],
    presets: [
      preset('dcgan-28', { arch: 'dcgan-dense', resolution: 28, channels: 1 }),
      preset('sngan-hinge', { arch: 'dcgan-conv', resolution: 64, channels: 3 }),
      preset('small-dataset', { arch: 'dcgan-conv', resolution: 64, channels: 3 }),
      preset('fastgan', { arch: 'fastgan', resolution: 64, channels: 3 }),
    ],
    defaultPreset: 'dcgan-28',
    resumableKeys: ['steps'],
  });
  setApiForTesting(api);
  const opts = withPiniaAndRouter();
  const wrapper = mount(TrainSetup, { global: { plugins: opts.global.plugins }, attachTo: document.body });
  const config = useConfigStore();
  await config.load();
  await flushPromises();
  return { wrapper, config };
}

afterEach(() => setApiForTesting(null));

describe('TrainSetup presets', () => {
  it("shows the preset's what and when", async () => {
    const { wrapper } = await mountSetup();
    const guide = wrapper.get('[data-testid="preset-guide"]').text();
    expect(guide).toContain('What:');
    expect(guide).toContain('Fashion-MNIST');
    expect(wrapper.text()).not.toContain('Preset dcgan-28.');
    wrapper.unmount();
  });

  it('suggests a preset that fits the chosen data set, and switching keeps its resolution and channels', async () => {
    const { wrapper, config } = await mountSetup();
    expect(wrapper.find('[data-testid="preset-suggestion"]').exists()).toBe(false); // the demo set: dcgan-28 fits
    config.useDataset(colourFolder);
    await flushPromises();
    const suggestion = wrapper.get('[data-testid="preset-suggestion"]');
    expect(suggestion.text()).toContain('Suggested: fastgan.');
    expect(suggestion.text()).toContain('300 colour images at 64²: a few hundred colour images at 64–256 px');
    await wrapper.get('[data-testid="use-suggestion"]').trigger('click');
    expect(config.preset).toBe('fastgan');
    expect(wrapper.find('[data-testid="preset-suggestion"]').exists()).toBe(false);

    config.selectPreset('dcgan-28'); // a preset made for 1×28² …
    expect(config.values.model).toMatchObject({ resolution: 64, channels: 3 }); // … does not reset the data set's shape
    expect((config.values.data as { dir: string }).dir).toBe('/pics');
    wrapper.unmount();
  });
});

describe('TrainSetup fine-tuning', () => {
  it('shows the checkpoint a new run starts from, its carry-over options, and removes it', async () => {
    const { wrapper, config } = await mountSetup();
    expect(wrapper.find('[data-testid="init-from"]').exists()).toBe(false);
    config.fromCheckpoint(TrainConfigSchema.parse({ preset: 'dcgan-28' }), '00007-big', 2000);
    await flushPromises();
    expect(wrapper.get('[data-testid="init-from-source"]').text()).toBe('00007-big @ step 2,000');
    await wrapper.get('[data-testid="init-from-optimizer"] input').setValue(true);
    expect(config.initFrom).toEqual({ runId: '00007-big', step: 2000, optimizer: true });
    await wrapper.get('[data-testid="init-from-remove"]').trigger('click');
    expect(config.initFrom).toBeNull();
    expect(wrapper.find('[data-testid="init-from"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('TrainSetup data folder', () => {
  it('Browse… picks the training folder right there, starting from the one chosen, and a cancel changes nothing', async () => {
    const { wrapper, config } = await mountSetup();
    config.useDataset(colourFolder);
    await flushPromises();
    const picker = useFolderPickerStore();
    await wrapper.get('[data-testid="browse-data"]').trigger('click');
    await flushPromises();
    expect(picker.open).toBe(true);
    expect(picker.purpose).toBe('dataset');
    expect(picker.startPath).toBe('/pics');
    picker.settle(null);
    await flushPromises();
    expect((config.values.data as { dir: string }).dir).toBe('/pics');

    await wrapper.get('[data-testid="browse-data"]').trigger('click');
    await flushPromises();
    picker.settle('/home/me/stamps');
    await flushPromises();
    expect((config.values.data as { dir: string }).dir).toBe('/home/me/stamps');
    expect(wrapper.text()).toContain('/home/me/stamps');
    wrapper.unmount();
  });
});

describe('TrainSetup "N to fix"', () => {
  it('shows and focuses the first option to fix, clearing a filter that hides it', async () => {
    const { wrapper, config } = await mountSetup({
      type: 'object',
      properties: {
        name: { type: 'string', description: 'Run name.' },
        steps: { type: 'integer', minimum: 1, description: 'Training steps.' },
      },
    });
    await wrapper.get('input[placeholder^="Filter options"]').setValue('name');
    await flushPromises();
    expect(wrapper.find('[data-path="steps"]').exists()).toBe(false); // filtered out
    await config.check(); // settle the check the load scheduled: its verdict would replace the errors below
    await flushPromises();
    config.serverErrors = { steps: 'arch dcgan-dense needs 28' };
    await flushPromises();
    const scrolled: string[] = [];
    const spy = vi.spyOn(HTMLElement.prototype, 'scrollIntoView').mockImplementation(function (this: HTMLElement) {
      scrolled.push(this.dataset.path ?? this.tagName);
    });
    const button = wrapper.get('[data-testid="to-fix"]');
    expect(button.text()).toBe('1 to fix');
    await button.trigger('click');
    await flushPromises();
    expect(scrolled).toEqual(['steps']);
    expect(document.activeElement?.id).toBe('field-steps');
    expect((wrapper.get('input[placeholder^="Filter options"]').element as HTMLInputElement).value).toBe('');
    spy.mockRestore();
    wrapper.unmount();
  });
});
