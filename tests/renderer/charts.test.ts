import { describe, expect, it } from 'vitest';
import { buildLineOption, seriesCsv } from '@renderer/lib/charts';

describe('chart tools', () => {
  const series = [
    { name: 'loss D', x: [1, 2, 3], y: [1.4, 0, 0.5] },
    { name: 'loss "G", raw', x: [2, 3], y: [0.7, 0.6] },
  ];

  it('a log y axis leaves out the points it cannot place', () => {
    const opt = buildLineOption({ series, yLog: true, yMin: 0, yMax: 1 }) as {
      yAxis: { type: string; min?: number };
      series: { data: [number, number | null][] }[];
    };
    expect(opt.yAxis.type).toBe('log');
    expect(opt.yAxis.min).toBeUndefined(); // a fixed 0 would break a log axis
    expect(opt.series[0].data).toEqual([
      [1, 1.4],
      [2, null],
      [3, 0.5],
    ]);
    expect((buildLineOption({ series }) as { yAxis: { type: string } }).yAxis.type).toBe('value');
  });

  it('CSV: a step column and a column per curve, quoted where needed', () => {
    expect(seriesCsv(series)).toBe('step,loss D,"loss ""G"", raw"\n1,1.4,\n2,0,0.7\n3,0.5,0.6\n');
  });
});
