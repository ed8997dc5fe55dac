import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import VirtualGrid from '@renderer/components/VirtualGrid.vue';
import { gridLayout, pagesFor } from '@renderer/lib/virtual';
import { withPinia } from '../setup';

describe('virtualized grid', () => {
  it('layout: only the rows in view (plus overscan) are rendered', () => {
    const l = gridLayout({ count: 60_000, width: 800, height: 600, scrollTop: 0, itemSize: 72, gap: 4, overscan: 2 });
    expect(l.columns).toBe(10); // (800 + 4) / 76
    expect(l.rows).toBe(6000);
    expect(l.totalHeight).toBe(6000 * 76 - 4);
    expect(l.start).toBe(0);
    expect(l.end).toBe(10 * (Math.ceil(600 / 76) + 2));
    const mid = gridLayout({
      count: 60_000,
      width: 800,
      height: 600,
      scrollTop: 76 * 3000,
      itemSize: 72,
      gap: 4,
      overscan: 2,
    });
    expect(mid.start).toBe(2998 * 10);
    expect(mid.offsetY).toBe(2998 * 76);
    expect(mid.end - mid.start).toBeLessThan(200);
    const end = gridLayout({ count: 60_000, width: 800, height: 600, scrollTop: 1e9, itemSize: 72, gap: 4 });
    expect(end.end).toBe(60_000);
  });

  it('pages cover a range', () => {
    expect(pagesFor(0, 120, 120)).toEqual([0]);
    expect(pagesFor(100, 250, 120)).toEqual([0, 1, 2]);
    expect(pagesFor(5, 5, 120)).toEqual([]);
  });

  it('renders about a hundred cells for 60,000 items and follows the scroll', async () => {
    const proto = HTMLElement.prototype;
    const saved = ['clientWidth', 'clientHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
    Object.defineProperty(proto, 'clientWidth', { configurable: true, get: () => 800 });
    Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => 600 });
    try {
      const wrapper = mount(VirtualGrid, {
        props: { count: 60_000, itemSize: 72, gap: 4, overscan: 2 },
        slots: { default: `<template #default="{ index }"><span class="cell-i">{{ index }}</span></template>` },
        ...withPinia(),
      });
      await nextTick();
      const cells = () => wrapper.findAll('.cell');
      expect(cells()).toHaveLength(100); // 10 columns × (8 visible + 2 overscan) rows
      expect(cells()[0].attributes('data-index')).toBe('0');
      const viewport = wrapper.get('.viewport').element as HTMLElement;
      viewport.scrollTop = 76 * 3000;
      await wrapper.get('.viewport').trigger('scroll');
      await new Promise((r) => setTimeout(r, 50)); // the scroll is read on the next animation frame
      expect(cells()[0].attributes('data-index')).toBe(String(2998 * 10));
      expect(cells().length).toBeLessThanOrEqual(120);
      expect((wrapper.emitted('range') as [number, number][]).at(-1)).toEqual([29_980, 30_100]);
      wrapper.unmount();
    } finally {
      for (const [k, d] of saved) if (d) Object.defineProperty(proto, k, d);
    }
  });
});
