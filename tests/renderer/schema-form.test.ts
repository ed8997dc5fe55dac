import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import SchemaForm from '@renderer/components/SchemaForm.vue';
import {
  buildForm,
  flattenFields,
  humanize,
  schemaDefaults,
  validateField,
  validateValues,
  type JsonSchema,
} from '@renderer/lib/schema';
import { TrainConfigSchema } from '@shared/config';
import { withPinia } from './setup';

/** The real config schema, exactly as `gan-studio config --schema` and `config:schema` make it. */
const schema = z.toJSONSchema(TrainConfigSchema, { io: 'input' }) as JsonSchema;
const defaults = TrainConfigSchema.parse({}) as unknown as Record<string, unknown>;

describe('buildForm on the real config schema', () => {
  const sections = buildForm(schema);
  const fields = flattenFields(sections);
  const byPath = Object.fromEntries(fields.map((f) => [f.path, f]));

  it('makes a section per nested object and gathers root options in the first', () => {
    expect(sections[0].label).toBe('General');
    const names = sections.map((s) => s.path);
    for (const key of ['data', 'model', 'g', 'd', 'ema']) expect(names).toContain(key);
    expect(sections.find((s) => s.path === 'g')?.label).toBe('G');
  });

  it('maps types to controls: enum → select, boolean → switch, number → number, colour pattern → colour', () => {
    expect(byPath['loss'].kind).toBe('enum');
    expect(byPath['loss'].options).toContain('nonsaturating');
    expect(byPath['model.channels'].kind).toBe('enum'); // anyOf of consts
    expect(byPath['model.channels'].options).toEqual([1, 3]);
    expect(byPath['ema.enabled'].kind).toBe('boolean');
    expect(byPath['batchSize'].kind).toBe('integer');
    expect(byPath['batchSize'].max).toBe(4096);
    expect(byPath['g.lr'].kind).toBe('number');
    expect(byPath['g.lr'].exclusiveMin).toBe(true);
    expect(byPath['data.background'].kind).toBe('color');
    expect(byPath['data.dir'].nullable).toBe(true);
    expect(byPath['steps'].max).toBeUndefined(); // "any safe integer" is no real bound
  });

  it('covers every leaf option of the schema, with its description', () => {
    const leafCount = (s: JsonSchema): number =>
      Object.values(s.properties ?? {}).reduce((n, p) => n + (p.properties ? leafCount(p) : 1), 0);
    expect(fields.length).toBe(leafCount(schema));
    for (const f of fields) expect(f.description, f.path).not.toBe('');
  });

  it('reads the defaults from the schema', () => {
    expect(schemaDefaults(schema)).toEqual(defaults);
  });

  it('the schema defaults pass its own validation', () => {
    expect(validateValues(sections, defaults)).toEqual({});
  });

  it('names the field and the problem', () => {
    expect(validateField(byPath['batchSize'], 5000)).toBe('Batch size must be at most 4096');
    expect(validateField(byPath['batchSize'], 0)).toBe('Batch size must be at least 1');
    expect(validateField(byPath['batchSize'], 2.5)).toBe('Batch size must be a whole number');
    expect(validateField(byPath['g.lr'], 0)).toBe('LR must be greater than 0');
    expect(validateField(byPath['data.background'], 'red')).toBe('Background must be a colour like #ffffff');
    expect(validateField(byPath['name'], 'has space')).toMatch(/^Name does not match/);
    expect(validateField(byPath['loss'], 'nope')).toMatch(/^Loss must be one of nonsaturating, minimax/);
    expect(validateField(byPath['data.dir'], null)).toBeNull();
    expect(validateField(byPath['batchSize'], null)).toBe('Batch size is required');
  });

  it('arranges fields by groups and never hides options the groups forget', () => {
    const grouped = buildForm(schema, {
      groups: [
        { id: 'run', title: 'Run', fields: ['steps', 'batchSize'] },
        { id: 'model', title: 'model', fields: ['model'] },
      ],
    });
    expect(grouped[0].label).toBe('Run');
    expect(grouped[0].children.map((c) => c.path)).toEqual(['steps', 'batchSize']);
    expect(grouped[1].label).toBe('Model');
    const other = grouped[grouped.length - 1];
    expect(other.label).toBe('Other options');
    expect(flattenFields(grouped).length).toBe(flattenFields(sections).length);
  });

  it('humanizes keys', () => {
    expect(humanize('batchSize')).toBe('Batch size');
    expect(humanize('ema')).toBe('EMA');
    expect(humanize('keepCheckpoints')).toBe('Keep checkpoints');
  });
});

describe('SchemaForm component', () => {
  // Element Plus selects are slow in happy-dom: keep the mounted part of the
  // (100-option) form small with the filter; only the open sections render.
  function mountForm(
    filter: string,
    values: Record<string, unknown> = defaults,
    externalErrors: Record<string, string> = {},
  ) {
    return mount(SchemaForm, { props: { schema, modelValue: values, externalErrors, filter }, ...withPinia() });
  }

  it('renders a select for enums, a switch for booleans and number inputs for numbers, with descriptions', async () => {
    const wrapper = mountForm('loss batchsize ema.enabled background');
    await flushPromises();
    const loss = wrapper.get('[data-path="loss"]');
    expect(loss.find('.el-select').exists()).toBe(true);
    expect(loss.text()).toContain('Loss');
    expect(loss.get('.description').text()).toContain('nonsaturating');
    expect(wrapper.get('[data-path="ema.enabled"]').find('.el-switch').exists()).toBe(true);
    const batch = wrapper.get('[data-path="batchSize"]');
    expect(batch.find('.el-input-number').exists()).toBe(true);
    expect((batch.get('input').element as HTMLInputElement).value).toBe('64');
    expect(batch.get('.description').text()).toContain('(≥ 1, ≤ 4096)');
    expect(wrapper.get('[data-path="data.background"]').find('.el-color-picker').exists()).toBe(true);
    // sections for nested objects
    expect(wrapper.find('[data-section="ema"]').exists()).toBe(true);
    expect(wrapper.find('[data-section="data"]').exists()).toBe(true);
    expect(wrapper.find('[data-section="model"]').exists()).toBe(false); // filtered out
    wrapper.unmount();
  });

  it('emits the edited config and shows an inline error naming the problem', async () => {
    const wrapper = mountForm('batchsize');
    const input = wrapper.get('[data-path="batchSize"] input');
    await input.setValue('5000');
    await input.trigger('blur');
    const updates = wrapper.emitted('update:modelValue') as Record<string, unknown>[][];
    expect(updates.length).toBeGreaterThan(0);
    const next = updates[updates.length - 1][0];
    expect(next.batchSize).toBe(5000);
    expect(next.model).toEqual(defaults.model); // the rest untouched
    await wrapper.setProps({ modelValue: next });
    const error = wrapper.get('[data-path="batchSize"] .error');
    expect(error.text()).toBe('Batch size must be at most 4096');
    expect(wrapper.get('[data-section="run"], [data-section="root"]').text()).toContain('1 to fix');
    expect(wrapper.get('[data-section="run"], [data-section="root"] .el-collapse-item__header').text()).toMatch(
      /General\s+1 to fix/,
    ); // not "General1 to fix"
    wrapper.unmount();
  });

  it('toggles a boolean through its switch', async () => {
    const wrapper = mountForm('ema.enabled');
    await wrapper.get('[data-path="ema.enabled"] .el-switch').trigger('click');
    const updates = wrapper.emitted('update:modelValue') as Record<string, Record<string, unknown>>[][];
    expect(updates.at(-1)![0].ema.enabled).toBe(false);
    wrapper.unmount();
  });

  it('shows errors from the backend (cross-field checks) under their field, and whole-config errors on top', async () => {
    const wrapper = mountForm('model.resolution', defaults, {
      'model.resolution': 'arch dcgan-conv needs a power of two from 16 to 256',
      '': 'Something is off',
    });
    expect(wrapper.get('[data-path="model.resolution"] .error').text()).toContain('power of two');
    expect(wrapper.get('.loose-errors').text()).toContain('Something is off');
    wrapper.unmount();
  });

  it('filters options by label or path', async () => {
    const wrapper = mount(SchemaForm, { props: { schema, modelValue: defaults, filter: 'beta1' }, ...withPinia() });
    const paths = wrapper.findAll('[data-path]').map((w) => w.attributes('data-path'));
    expect(paths.sort()).toEqual(['d.beta1', 'g.beta1']);
  });
});
