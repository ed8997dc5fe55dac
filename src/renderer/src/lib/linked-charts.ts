/**
 * What links a view's charts: one x axis choice (step or wall time) that
 * switches them all, the step cursor marked on each (the sample timeline's
 * step), and the step under the pointer (`hover`) or clicked (`pick`)
 * reported up, so the timeline follows whichever chart is pointed at. One
 * object of props and listeners for `v-bind` on every TimeSeriesChart, so
 * each chart of TrainCharts and QualityCharts gets the same bindings.
 */
import { computed, type ComputedRef, type Ref } from 'vue';
import type { XMode } from './charts';

export interface LinkedChartsInput {
  /** The step to mark; null or undefined: none. */
  cursor: () => number | null | undefined;
  /** The shared x axis choice (a parent's v-model, or a local ref). */
  xMode: Ref<XMode>;
  /** EMA smoothing for the curves that take it (the Losses slider); none: 0. */
  smoothing?: () => number;
  hover: (step: number | null) => void;
  pick: (step: number) => void;
}

export interface LinkedChartBindings {
  xMode: XMode;
  'onUpdate:xMode': (mode: XMode) => void;
  cursor: number | null;
  smoothing: number;
  onHover: (step: number | null) => void;
  onPick: (step: number) => void;
}

export function useLinkedCharts(input: LinkedChartsInput): ComputedRef<LinkedChartBindings> {
  const setXMode = (mode: XMode): void => {
    input.xMode.value = mode;
  };
  return computed(() => ({
    xMode: input.xMode.value,
    'onUpdate:xMode': setXMode,
    cursor: input.cursor() ?? null,
    smoothing: input.smoothing?.() ?? 0,
    onHover: input.hover,
    onPick: input.pick,
  }));
}
