/**
 * The Train view's step cursor and x axis: the sample timeline's step is
 * marked on every chart; pointing at a chart previews the nearest grid, a
 * click pins it; one chart's x axis switch (step / wall time) switches all.
 * The charts draw on a canvas, which happy-dom lacks: a stand-in with the
 * chart's props and events takes their place, the wiring around is real.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { MetricsPoint } from '@shared/metrics';
import { setApiForTesting } from '@renderer/api/index';
import { useTrainingStore } from '@renderer/stores/training';
import TrainView from '@renderer/views/TrainView.vue';
import { createFakeApi } from '../fake-api';
import { detail, metricsPoint, stat } from '../fixtures';
import { withPiniaAndRouter } from '../setup';

afterEach(() => setApiForTesting(null));

const ChartStandIn = defineComponent({
  name: 'TimeSeriesChart',
  props: {
    series: { type: Array, default: () => [] },
    cursor: { type: Number, default: null },
    xMode: String,
    smoothing: Number,
    markers: { type: Array, default: () => [] },
  },
  emits: ['hover', 'pick', 'update:xMode'],
  setup(props) {
    return () => h('div', { class: 'chart-stand-in', 'data-cursor': props.cursor, 'data-x-mode': props.xMode });
  },
});

async function mountTrain(metrics: MetricsPoint[] = []) {
  const api = createFakeApi();
  vi.mocked(api.configSchema).mockRejectedValue(new Error('no schema in this test'));
  vi.mocked(api.getRun).mockImplementation(async (req) => detail(req.runId, [0, 10, 20, 30]));
  vi.mocked(api.runStats).mockResolvedValue({
    runId: '00001-run',
    stats: [0, 5, 10, 15, 20, 25, 30].map((s) => stat(s)),
    total: 7,
    metrics,
  });
  setApiForTesting(api);
  const opts = withPiniaAndRouter();
  const wrapper = mount(TrainView, {
    global: { plugins: opts.global.plugins, stubs: { TimeSeriesChart: ChartStandIn } },
  });
  await useTrainingStore().showRun('00001-run');
  await flushPromises();
  return wrapper;
}

describe('Train view: step cursor and x axis', () => {
  it('marks the timeline step on every chart, previews on hover, pins on click', async () => {
    const wrapper = await mountTrain();
    const charts = () => wrapper.findAllComponents(ChartStandIn);
    const cursors = () => charts().map((c) => c.props('cursor'));
    const label = () => wrapper.get('[data-testid="timeline-label"]').text();
    expect(charts()).toHaveLength(4);
    expect(cursors()).toEqual([30, 30, 30, 30]); // following the newest grid
    expect(label()).toContain('step 30');
    // every chart's curves carry wall-clock times, for the time axis
    expect((charts()[0].props('series') as { t?: number[] }[])[0].t).toEqual(
      [0, 5, 10, 15, 20, 25, 30].map((s) => stat(s).time),
    );

    charts()[2].vm.$emit('pick', 12); // nearest grid: step 10
    await flushPromises();
    expect(label()).toContain('step 10');
    expect(cursors()).toEqual([10, 10, 10, 10]);

    charts()[1].vm.$emit('hover', 17); // nearest grid: step 20, for as long as the pointer is there
    await flushPromises();
    expect(label()).toContain('step 20');
    expect(cursors()).toEqual([20, 20, 20, 20]);
    charts()[1].vm.$emit('hover', null);
    await flushPromises();
    expect(label()).toContain('step 10');

    charts()[0].vm.$emit('pick', 29); // the newest grid: follow new ones again
    await flushPromises();
    expect(label()).toContain('step 30');
    expect(
      wrapper
        .findAll('button')
        .find((b) => b.text() === 'Latest')
        ?.attributes('disabled'),
    ).toBeDefined();
    wrapper.unmount();
  });

  it("one chart's x axis switch switches them all", async () => {
    const wrapper = await mountTrain();
    const charts = () => wrapper.findAllComponents(ChartStandIn);
    expect(charts().map((c) => c.props('xMode'))).toEqual(['step', 'step', 'step', 'step']);
    charts()[3].vm.$emit('update:xMode', 'time');
    await flushPromises();
    expect(charts().map((c) => c.props('xMode'))).toEqual(['time', 'time', 'time', 'time']);
    wrapper.unmount();
  });

  it('links the quality charts as the loss charts: the cursor, hover and pick, and the shared x axis', async () => {
    const wrapper = await mountTrain([metricsPoint(0), metricsPoint(15), metricsPoint(30)]);
    const charts = () => wrapper.findAllComponents(ChartStandIn);
    const quality = () =>
      charts().filter((c) => wrapper.get('[data-testid="quality-charts"]').element.contains(c.element));
    const label = () => wrapper.get('[data-testid="timeline-label"]').text();
    expect(charts()).toHaveLength(7);
    expect(quality()).toHaveLength(3);
    expect(charts().map((c) => c.props('cursor'))).toEqual(Array(7).fill(30));
    // the quality curves carry each evaluation's wall-clock time, for the time axis
    expect((quality()[0].props('series') as { t?: number[] }[])[0].t).toEqual(
      [0, 15, 30].map((s) => metricsPoint(s).time),
    );
    // smoothed with the Losses slider, with the rollback markers, as the loss charts are
    expect(quality().map((c) => c.props('smoothing'))).toEqual([0.6, 0.6, 0.6]);
    expect((quality()[0].props('series') as { smooth?: boolean }[])[0].smooth).toBe(true);
    useTrainingStore().events = [{ step: 20, rollback: 1, lrScale: 0.5 } as never];
    await flushPromises();
    expect(quality().map((c) => c.props('markers'))).toEqual(Array(3).fill(charts()[0].props('markers')));
    expect(charts()[0].props('markers')).toEqual([{ x: 20, label: 'rollback 1 (lr ×0.5)' }]);

    quality()[1].vm.$emit('hover', 15); // KID at step 15: the nearest grid is step 10 or 20
    await flushPromises();
    expect(label()).toMatch(/step (10|20) /);
    const hovered = Number(/step (\d+)/.exec(label())![1]);
    expect(charts().map((c) => c.props('cursor'))).toEqual(Array(7).fill(hovered));
    quality()[1].vm.$emit('hover', null);
    quality()[2].vm.$emit('pick', 0);
    await flushPromises();
    expect(label()).toContain('step 0');
    expect(charts().map((c) => c.props('cursor'))).toEqual(Array(7).fill(0));

    quality()[0].vm.$emit('update:xMode', 'time');
    await flushPromises();
    expect(charts().map((c) => c.props('xMode'))).toEqual(Array(7).fill('time'));
    wrapper.unmount();
  });
});
