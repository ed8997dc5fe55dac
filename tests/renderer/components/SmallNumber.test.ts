import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import SmallNumber from '@renderer/components/SmallNumber.vue';

/** Mounts a SmallNumber bound to `value`, as a parent's v-model would. */
function mountBound(props: { min: number; max: number; empty?: number }, value: number) {
  const seen: number[] = [];
  const wrapper = mount(SmallNumber, {
    props: { ...props, modelValue: value, 'onUpdate:modelValue': (v: number) => seen.push(v) },
    attrs: { class: 'w-test', 'data-testid': 'n' },
  });
  return { wrapper, seen };
}

describe('SmallNumber', () => {
  it('passes typed values on, and a cleared field (null) becomes `empty`, else `min`', async () => {
    const a = mountBound({ min: 2, max: 240, empty: 12 }, 5);
    const input = a.wrapper.findComponent({ name: 'ElInputNumber' });
    input.vm.$emit('update:modelValue', 30);
    input.vm.$emit('update:modelValue', null);
    expect(a.seen).toEqual([30, 12]);

    const b = mountBound({ min: 1, max: 10 }, 5);
    b.wrapper.findComponent({ name: 'ElInputNumber' }).vm.$emit('update:modelValue', null);
    expect(b.seen).toEqual([1]);
  });

  it('puts class and test id on the input, and forwards its change', async () => {
    const { wrapper } = mountBound({ min: 0, max: 9 }, 3);
    const input = wrapper.findComponent({ name: 'ElInputNumber' });
    expect(input.classes()).toContain('w-test');
    expect(input.attributes('data-testid')).toBe('n');
    expect(input.props('min')).toBe(0);
    expect(input.props('max')).toBe(9);
    expect(input.props('controlsPosition')).toBe('right');
    input.vm.$emit('change', 4, 3);
    expect(wrapper.emitted('change')).toEqual([[4]]);
  });
});
