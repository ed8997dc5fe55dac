/**
 * ECharts options for the training curves, built by a pure function so the
 * maths (smoothing, decimation) and the look can be tested without a canvas.
 *
 * The tooltip is HTML made of classes only: the CSP forbids inline style
 * attributes, so ECharts' default tooltip markup (coloured dots drawn with
 * style="…") would lose its colours. Series colours come from `CHART_PALETTE`,
 * which main.css mirrors as `.tt-c0`…`.tt-c5`.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { decimate, emaSmooth } from './smoothing';

export const CHART_PALETTE = ['#8b7cf6', '#38bdf8', '#f472b6', '#4ade80', '#fbbf24', '#fb923c'] as const;

/** What the x axis measures: the training step, or the wall-clock time each step ended. */
export type XMode = 'step' | 'time';

/** One curve: x (the step) and y values of equal length. */
export interface CurveSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Wall-clock time of each point (ms since the epoch, stats.jsonl's `time`), for the wall-time x axis. */
  t?: readonly number[];
  /** Index into CHART_PALETTE. */
  color?: number;
  /** Draw it smoothed (plus the raw curve faintly) when smoothing > 0. */
  smooth?: boolean;
  /** Dashed line (e.g. the second run of an overlay). */
  dashed?: boolean;
}

export interface LineOptionInput {
  series: readonly CurveSeries[];
  /** EMA weight in [0, 1). */
  smoothing?: number;
  dark?: boolean;
  yName?: string;
  /** Horizontal reference lines, e.g. the gradient-norm limit. */
  limits?: { y: number; label: string }[];
  /** Vertical markers at steps where something happened, e.g. a rollback of training that recovered by itself. */
  markers?: { x: number; label: string }[];
  /** Most points drawn per series (long runs are decimated). */
  maxPoints?: number;
  /** Show the dataZoom slider under the chart (wheel and drag zoom always work). */
  zoomSlider?: boolean;
  /**
   * Pixels kept free left of the legend (the chart's tool buttons sit there).
   * The legend then starts after them and scrolls in one line, so a long one
   * (six curves of three compared runs) neither covers the buttons nor wraps
   * onto the plot.
   */
  legendLeft?: number;
  yMin?: number;
  yMax?: number;
  /** Logarithmic y axis (points ≤ 0 are left out: a log axis cannot place them). */
  yLog?: boolean;
  /** Step (default) or wall-clock time on x; in time mode, series without `t` are left out. */
  xMode?: XMode;
  /** A step to mark with a vertical line (the step the sample timeline shows); null or left out: none. */
  cursor?: number | null;
}

/** Index of the last point at or before `step` (the first when `step` is before them all); -1 when none. */
function indexAtStep(xs: readonly number[], step: number): number {
  if (xs.length === 0) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  if (step < xs[0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Where `step` lies on the x axis: itself, or in time mode the time of the first timed series' point at that step. */
export function stepToX(series: readonly CurveSeries[], step: number, xMode: XMode = 'step'): number | null {
  if (xMode === 'step') return step;
  const timed = series.find((s) => s.t && s.t.length === s.x.length && s.x.length > 0);
  if (!timed) return null;
  return timed.t![indexAtStep(timed.x, step)];
}

/**
 * The step under an x axis value (a hover or a click on the chart): the
 * nearest point's step of any series, so the answer is always a step that
 * was trained; null when the chart has no points.
 */
export function stepAtX(series: readonly CurveSeries[], x: number, xMode: XMode = 'step'): number | null {
  let best: number | null = null;
  let bestDist = Infinity;
  for (const s of series) {
    const xs = xMode === 'time' ? s.t : s.x;
    if (!xs || xs.length !== s.x.length || xs.length === 0) continue;
    // both are ascending: the nearest is at the insertion point or just before it
    const i = indexAtStep(xs, x);
    for (const j of [i, i + 1]) {
      if (j < 0 || j >= xs.length) continue;
      const d = Math.abs(xs[j] - x);
      if (d < bestDist) {
        bestDist = d;
        best = s.x[j];
      }
    }
  }
  return best;
}

/** A wall-clock time as the tooltip shows it (local time, to the second). */
function clock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

interface TooltipParam {
  seriesName?: string;
  seriesId?: string;
  value?: unknown;
  axisValue?: unknown;
}

/** The tooltip HTML for ECharts' axis trigger (class-based: CSP-safe). */
export function tooltipHtml(
  params: TooltipParam | TooltipParam[],
  colorOf: Record<string, number>,
  xMode: XMode = 'step',
): string {
  const list = Array.isArray(params) ? params : [params];
  const visible = list.filter((p) => !String(p.seriesId ?? '').endsWith('::raw'));
  const first = list[0];
  // points are [step, y], or [time, y, step] in time mode
  const x = Array.isArray(first?.value) ? first.value[0] : first?.axisValue;
  const step = Array.isArray(first?.value) && first.value.length > 2 ? first.value[2] : x;
  const when = xMode === 'time' && typeof x === 'number' ? ` · ${clock(x)}` : '';
  const rows = visible.map((p) => {
    const y = Array.isArray(p.value) ? p.value[1] : p.value;
    const c = colorOf[p.seriesName ?? ''] ?? 0;
    return `<div class="tt-row"><span class="tt-dot tt-c${c}"></span><span class="tt-name">${escapeHtml(p.seriesName ?? '')}</span><span class="tt-val">${fmt(y)}</span></div>`;
  });
  return `<div class="tt"><div class="tt-title">step ${fmt(step)}${when}</div>${rows.join('')}</div>`;
}

/** The full ECharts option for a set of curves. */
export function buildLineOption(input: LineOptionInput): EChartsCoreOption {
  const dark = input.dark ?? true;
  const smoothing = input.smoothing ?? 0;
  const maxPoints = input.maxPoints ?? 2000;
  const text = dark ? '#969fb0' : '#5d6778';
  const axisLine = dark ? '#313849' : '#cdd2dc';
  const split = dark ? 'rgba(255,255,255,0.06)' : 'rgba(0,0,0,0.06)';
  const xMode = input.xMode ?? 'step';
  const colorOf: Record<string, number> = {};
  const series: Record<string, unknown>[] = [];
  const timed = (s: CurveSeries) => xMode === 'step' || (s.t !== undefined && s.t.length === s.x.length);

  input.series.forEach((s, i) => {
    if (!timed(s)) return;
    const colorIndex = (s.color ?? i) % CHART_PALETTE.length;
    const color = CHART_PALETTE[colorIndex];
    colorOf[s.name] = colorIndex;
    // [x, y], plus the step in time mode (the tooltip names it)
    const point = (j: number, y: number) =>
      xMode === 'time'
        ? [s.t![j], input.yLog && !(y > 0) ? null : y, s.x[j]]
        : [s.x[j], input.yLog && !(y > 0) ? null : y];
    const pairs = s.x.map((_, j) => point(j, s.y[j]));
    const lineStyle = { width: 1.6, type: s.dashed ? 'dashed' : 'solid' };
    // A line needs two points: a curve of one evaluation so far is drawn as a dot.
    const lone = s.x.length === 1;
    const common = {
      type: 'line',
      showSymbol: lone,
      symbol: lone ? 'circle' : 'none',
      animation: false,
      color,
      emphasis: { disabled: true },
    };
    if (s.smooth && smoothing > 0) {
      const smoothed = emaSmooth(s.y, smoothing);
      series.push({
        ...common,
        id: `${s.name}::raw`,
        name: s.name,
        data: decimate(pairs, maxPoints),
        lineStyle: { ...lineStyle, width: 1, opacity: 0.22 },
        silent: true,
        tooltip: { show: false },
      });
      series.push({
        ...common,
        id: s.name,
        name: s.name,
        data: decimate(
          s.x.map((_, j) => point(j, smoothed[j])),
          maxPoints,
        ),
        lineStyle,
      });
    } else {
      series.push({ ...common, id: s.name, name: s.name, data: decimate(pairs, maxPoints), lineStyle });
    }
  });

  // Reference lines ride on a series (ECharts draws markLines per series); each line carries its own style.
  const marks = [
    ...(input.limits ?? []).map((l) => ({
      yAxis: l.y,
      name: l.label,
      lineStyle: { color: '#f87171', type: 'dashed', width: 1 },
      label: { color: '#f87171', formatter: '{b}', position: 'insideEndTop' },
    })),
    ...(input.markers ?? []).flatMap((m) => {
      const x = stepToX(input.series, m.x, xMode);
      if (x === null) return [];
      return [
        {
          xAxis: x,
          name: m.label,
          lineStyle: { color: '#fbbf24', type: 'solid', width: 1.2 },
          label: { color: '#fbbf24', formatter: '{b}', position: 'insideEndTop' },
        },
      ];
    }),
  ];
  const cursorX = input.cursor == null ? null : stepToX(input.series, input.cursor, xMode);
  if (cursorX !== null) {
    const cursorColor = dark ? '#e6e8ef' : '#1b2130';
    marks.push({
      xAxis: cursorX,
      name: `step ${input.cursor}`,
      lineStyle: { color: cursorColor, type: 'dashed', width: 1 },
      label: { color: cursorColor, formatter: '{b}', position: 'insideEndBottom' },
    });
  }
  if (marks.length > 0 && series.length > 0) {
    series[series.length - 1].markLine = { silent: true, symbol: 'none', data: marks };
  }

  const zoomSlider = input.zoomSlider ?? true;
  return {
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 8, right: 14, top: 30, bottom: zoomSlider ? 40 : 8, containLabel: true },
    legend: {
      top: 0,
      right: 4,
      ...(input.legendLeft !== undefined
        ? { type: 'scroll', left: input.legendLeft, pageIconSize: 9, pageTextStyle: { color: text, fontSize: 10 } }
        : {}),
      itemWidth: 14,
      itemHeight: 3,
      icon: 'rect',
      textStyle: { color: text, fontSize: 11 },
      data: input.series.filter(timed).map((s) => s.name),
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      className: 'studio-tooltip',
      backgroundColor: dark ? 'rgba(20,23,32,0.96)' : 'rgba(255,255,255,0.98)',
      borderColor: axisLine,
      textStyle: { color: dark ? '#e6e8ef' : '#1b2130', fontSize: 12 },
      axisPointer: { type: 'line', lineStyle: { color: axisLine } },
      formatter: (params: unknown) => tooltipHtml(params as TooltipParam[], colorOf, xMode),
    },
    xAxis: {
      type: xMode === 'time' ? 'time' : 'value',
      min: 'dataMin',
      max: 'dataMax',
      axisLine: { lineStyle: { color: axisLine } },
      axisLabel: { color: text, fontSize: 10, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: input.yLog ? 'log' : 'value',
      name: input.yName ?? '',
      nameTextStyle: { color: text, fontSize: 10, align: 'left' },
      min: input.yLog ? undefined : input.yMin,
      max: input.yLog ? undefined : input.yMax,
      scale: input.yLog ? undefined : input.yMin === undefined,
      axisLabel: { color: text, fontSize: 10, formatter: (v: number) => fmt(v) },
      splitLine: { lineStyle: { color: split } },
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      ...(zoomSlider
        ? [
            {
              type: 'slider',
              xAxisIndex: 0,
              height: 14,
              bottom: 6,
              filterMode: 'none',
              borderColor: axisLine,
              fillerColor: dark ? 'rgba(139,124,246,0.18)' : 'rgba(109,92,240,0.14)',
              handleStyle: { color: dark ? '#8b7cf6' : '#6d5cf0' },
              textStyle: { color: text, fontSize: 10 },
              dataBackground: { lineStyle: { color: axisLine }, areaStyle: { color: 'transparent' } },
              showDetail: false,
            },
          ]
        : []),
    ],
    series,
  };
}

/**
 * The curves as CSV: a `step` column, a `time` column (ISO 8601, UTC) when
 * the series carry wall-clock times (what the time axis draws), and one
 * column per series (empty where a series has no value at that step).
 */
export function seriesCsv(series: readonly CurveSeries[]): string {
  const steps = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const byStep = series.map((s) => new Map(s.x.map((x, j) => [x, s.y[j]])));
  const times = new Map<number, number>();
  for (const s of series)
    if (s.t && s.t.length === s.x.length) s.x.forEach((x, j) => times.has(x) || times.set(x, s.t![j]));
  const timed = times.size > 0;
  const timeOf = (step: number) => (times.has(step) ? new Date(times.get(step)!).toISOString() : '');
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [['step', ...(timed ? ['time'] : []), ...series.map((s) => quote(s.name))].join(',')];
  for (const step of steps)
    lines.push(
      [
        String(step),
        ...(timed ? [timeOf(step)] : []),
        ...byStep.map((m) => (m.has(step) ? String(m.get(step)) : '')),
      ].join(','),
    );
  return `${lines.join('\n')}\n`;
}
