import { describe, expect, it } from 'vitest';
import { buildLineOption, tooltipHtml } from '@renderer/lib/charts';
import { decimate, emaSmooth } from '@renderer/lib/smoothing';

describe('emaSmooth (debiased EMA, as TensorBoard)', () => {
  it('returns the values unchanged at weight 0', () => {
    expect(emaSmooth([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
  });

  it('is debiased: a constant series stays exactly constant from the first point', () => {
    const out = emaSmooth([2, 2, 2, 2], 0.9);
    for (const v of out) expect(v).toBeCloseTo(2, 12);
  });

  it('matches the formula by hand', () => {
    const w = 0.5;
    // last_k = w*last_{k-1} + (1-w)*v_k ; out_k = last_k / (1 - w^k)
    // v = [4, 0, 2]: last = 2, 1, 1.5 ; debias = 0.5, 0.75, 0.875
    const out = emaSmooth([4, 0, 2], w);
    expect(out[0]).toBeCloseTo(4, 12);
    expect(out[1]).toBeCloseTo(1 / 0.75, 12);
    expect(out[2]).toBeCloseTo(1.5 / 0.875, 12);
  });

  it('smooths noise: the variance of a zig-zag drops as the weight grows', () => {
    const zig = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const spread = (xs: number[]) => Math.max(...xs.slice(50)) - Math.min(...xs.slice(50));
    expect(spread(emaSmooth(zig, 0.6))).toBeLessThan(spread(zig));
    expect(spread(emaSmooth(zig, 0.95))).toBeLessThan(spread(emaSmooth(zig, 0.6)));
  });

  it('passes NaN and Infinity through without poisoning later points', () => {
    const out = emaSmooth([1, Number.NaN, 1, Number.POSITIVE_INFINITY, 1], 0.8);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBe(Number.POSITIVE_INFINITY);
    expect(out[2]).toBeCloseTo(1, 12);
    expect(out[4]).toBeCloseTo(1, 12);
  });

  it('clamps weights outside [0, 1)', () => {
    expect(emaSmooth([1, 2], -3)).toEqual([1, 2]);
    expect(emaSmooth([1, 2], 5).every(Number.isFinite)).toBe(true);
  });
});

describe('decimate', () => {
  it('keeps short series whole', () => {
    expect(decimate([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  it('caps long series and always keeps the first and the live last point', () => {
    const xs = Array.from({ length: 10_001 }, (_, i) => i);
    const out = decimate(xs, 1000);
    expect(out.length).toBeLessThanOrEqual(1001);
    expect(out[0]).toBe(0);
    expect(out[out.length - 1]).toBe(10_000);
  });
});

describe('buildLineOption', () => {
  const x = [1, 2, 3, 4];
  const y = [4, 0, 2, 2];

  it('draws a smoothed series plus a faint raw one when smoothing is on', () => {
    const opt = buildLineOption({ series: [{ name: 'loss D', x, y, smooth: true }], smoothing: 0.5 }) as {
      series: { id: string; data: number[][] }[];
    };
    expect(opt.series.map((s) => s.id)).toEqual(['loss D::raw', 'loss D']);
    expect(opt.series[0].data.map((p) => p[1])).toEqual(y);
    const expected = emaSmooth(y, 0.5);
    opt.series[1].data.forEach((p, i) => expect(p[1]).toBeCloseTo(expected[i], 12));
    expect(opt.series[1].data.map((p) => p[0])).toEqual(x);
  });

  it('draws the raw series only when smoothing is 0', () => {
    const opt = buildLineOption({ series: [{ name: 'loss D', x, y, smooth: true }], smoothing: 0 }) as {
      series: { id: string }[];
    };
    expect(opt.series.map((s) => s.id)).toEqual(['loss D']);
  });

  it('has zoom (inside + slider) and an axis tooltip', () => {
    const opt = buildLineOption({ series: [{ name: 'a', x, y }] }) as {
      dataZoom: { type: string }[];
      tooltip: { trigger: string };
    };
    expect(opt.dataZoom.map((d) => d.type)).toEqual(['inside', 'slider']);
    expect(opt.tooltip.trigger).toBe('axis');
  });

  it('adds limit lines (gradient-norm limit)', () => {
    const opt = buildLineOption({ series: [{ name: 'a', x, y }], limits: [{ y: 100, label: 'limit' }] }) as {
      series: { markLine?: { data: { yAxis: number }[] } }[];
    };
    expect(opt.series[0].markLine?.data[0].yAxis).toBe(100);
  });

  it('adds vertical markers (rollbacks) next to the limit lines, each labelled', () => {
    type Mark = { xAxis?: number; yAxis?: number; name: string };
    const opt = buildLineOption({
      series: [{ name: 'a', x, y }],
      limits: [{ y: 100, label: 'limit' }],
      markers: [
        { x: 40, label: 'rollback 1' },
        { x: 20, label: 'rollback 2' },
      ],
    }) as { series: { markLine?: { data: Mark[] } }[] };
    const data = opt.series[0].markLine!.data;
    expect(data.filter((d) => d.xAxis !== undefined).map((d) => [d.xAxis, d.name])).toEqual([
      [40, 'rollback 1'],
      [20, 'rollback 2'],
    ]);
    expect(data.filter((d) => d.yAxis !== undefined).map((d) => d.yAxis)).toEqual([100]);
    expect(
      buildLineOption({ series: [{ name: 'a', x, y }] }) as { series: { markLine?: unknown }[] },
    ).not.toHaveProperty('series.0.markLine');
  });
});

describe('tooltipHtml', () => {
  it('uses classes only (the CSP forbids inline styles), skips raw series and escapes names', () => {
    const html = tooltipHtml(
      [
        { seriesName: 'loss <D>', seriesId: 'loss <D>::raw', value: [10, 0.5] },
        { seriesName: 'loss <D>', seriesId: 'loss <D>', value: [10, 0.69314] },
      ],
      { 'loss <D>': 2 },
    );
    expect(html).not.toContain('style=');
    expect(html).toContain('step 10');
    expect(html).toContain('0.6931');
    expect(html).toContain('tt-c2');
    expect(html).toContain('loss &#60;D&#62;');
    expect(html.match(/tt-row/g)).toHaveLength(1);
  });
});
