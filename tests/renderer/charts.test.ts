import { describe, expect, it } from 'vitest';
import { buildLineOption, seriesCsv, stepAtX, stepToX } from '@renderer/lib/charts';

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

  it('a curve of one point so far is drawn as a dot (a line needs two), longer curves as lines only', () => {
    const opt = buildLineOption({ series: [{ name: 'SWD', x: [0], y: [300] }, ...series] }) as {
      series: { name: string; showSymbol: boolean; symbol: string }[];
    };
    expect(opt.series.map((s) => [s.name, s.showSymbol, s.symbol])).toEqual([
      ['SWD', true, 'circle'],
      ['loss D', false, 'none'],
      ['loss "G", raw', false, 'none'],
    ]);
  });

  it('CSV: a step column and a column per curve, quoted where needed', () => {
    expect(seriesCsv(series)).toBe('step,loss D,"loss ""G"", raw"\n1,1.4,\n2,0,0.7\n3,0.5,0.6\n');
  });

  it('a CSV of timed curves says when each step ended, as the time axis draws it', () => {
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5);
    const timed = [
      { name: 'SWD', x: [0, 10], y: [300, 250], t: [t0, t0 + 61_000] },
      { name: 'no times', x: [5], y: [1] },
    ];
    expect(seriesCsv(timed)).toBe(
      'step,time,SWD,no times\n0,2026-01-02T03:04:05.000Z,300,\n5,,,1\n10,2026-01-02T03:05:06.000Z,250,\n',
    );
  });
});

describe('x axis mode and step cursor', () => {
  type Opt = {
    xAxis: { type: string };
    legend: { data: string[] };
    series: {
      name: string;
      data: [number, number | null, number][];
      markLine?: { data: { xAxis?: number; name: string }[] };
    }[];
    tooltip: { formatter: (p: unknown) => string };
  };
  const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const timed = { name: 'loss D', x: [10, 20, 30], y: [1, 2, 3], t: [T0, T0 + 60_000, T0 + 3_600_000] };
  const untimed = { name: 'old', x: [10, 20], y: [5, 6] };

  it('wall time puts each point at its time (a time axis), keeps its step, and leaves out series without times', () => {
    const opt = buildLineOption({ series: [timed, untimed], xMode: 'time' }) as Opt;
    expect(opt.xAxis.type).toBe('time');
    expect(opt.series.map((s) => s.name)).toEqual(['loss D']);
    expect(opt.legend.data).toEqual(['loss D']);
    expect(opt.series[0].data).toEqual([
      [T0, 1, 10],
      [T0 + 60_000, 2, 20],
      [T0 + 3_600_000, 3, 30],
    ]);
    const title = opt.tooltip.formatter([{ seriesName: 'loss D', seriesId: 'loss D', value: [T0 + 60_000, 2, 20] }]);
    expect(title).toContain('step 20 · ');
    const step = buildLineOption({ series: [timed, untimed] }) as Opt;
    expect(step.xAxis.type).toBe('value');
    expect(step.series[0].data[1]).toEqual([20, 2]);
    expect(step.tooltip.formatter([{ seriesName: 'loss D', value: [20, 2] }])).toContain('step 20</div>');
  });

  it('marks the cursor step on the chart, at its time in time mode, with the rollback markers moved too', () => {
    const marks = (o: unknown) => (o as Opt).series.at(-1)!.markLine!.data;
    expect(marks(buildLineOption({ series: [timed], cursor: 20 }))).toEqual([
      expect.objectContaining({ xAxis: 20, name: 'step 20' }),
    ]);
    const inTime = marks(
      buildLineOption({ series: [timed], cursor: 25, xMode: 'time', markers: [{ x: 30, label: 'r' }] }),
    );
    expect(inTime).toEqual([
      expect.objectContaining({ xAxis: T0 + 3_600_000, name: 'r' }),
      expect.objectContaining({ xAxis: T0 + 60_000, name: 'step 25' }), // the last point at or before step 25
    ]);
    expect((buildLineOption({ series: [timed], cursor: null }) as Opt).series[0].markLine).toBeUndefined();
  });

  it('the step under the pointer is the nearest point of any series, in either mode', () => {
    expect(stepAtX([timed], 24)).toBe(20);
    expect(stepAtX([timed], 26)).toBe(30);
    expect(stepAtX([timed], 2)).toBe(10);
    expect(stepAtX([timed, { name: 'b', x: [23], y: [0] }], 24)).toBe(23);
    expect(stepAtX([timed], T0 + 2_000_000, 'time')).toBe(30);
    expect(stepAtX([timed], T0 + 1_000, 'time')).toBe(10);
    expect(stepAtX([untimed], T0, 'time')).toBeNull();
    expect(stepToX([timed], 29, 'time')).toBe(T0 + 60_000);
    expect(stepToX([untimed], 29, 'time')).toBeNull();
  });
});

describe('legend beside the tool buttons', () => {
  type Legend = { legend: { type?: string; left?: number; right: number; data: string[] } };
  const six = ['a', 'b', 'c'].flatMap((run) => [
    { name: `loss D · ${run}`, x: [1], y: [1] },
    { name: `loss G · ${run}`, x: [1], y: [1], dashed: true },
  ]);

  it('keeps clear of the buttons and stays one scrolling line, however many curves', () => {
    const opt = buildLineOption({ series: six, legendLeft: 168 }) as Legend;
    expect(opt.legend.left).toBe(168);
    expect(opt.legend.type).toBe('scroll');
    expect(opt.legend.data).toHaveLength(6);
  });

  it('without buttons the legend sits at the right as before', () => {
    const opt = buildLineOption({ series: six }) as Legend;
    expect(opt.legend.left).toBeUndefined();
    expect(opt.legend.type).toBeUndefined();
    expect(opt.legend.right).toBe(4);
  });
});
