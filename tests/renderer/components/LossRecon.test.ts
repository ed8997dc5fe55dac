/**
 * fastgan's reconstruction term (`lossRecon` in stats.jsonl) is drawn in the
 * loss charts when a run has it, in Train and in run comparison; runs without
 * it get no such curve. A stand-in takes the canvas chart's place (happy-dom
 * has no canvas); the stores and components around it are real.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { StepStats } from '@shared/stats';
import { setApiForTesting } from '@renderer/api/index';
import TrainCharts from '@renderer/components/train/TrainCharts.vue';
import RunsCompare from '@renderer/components/run/RunsCompare.vue';
import { lossReconColumn } from '@renderer/lib/recon';
import { useRunsStore } from '@renderer/stores/runs';
import { useTrainingStore } from '@renderer/stores/training';
import { createFakeApi } from '../fake-api';
import { detail, stat } from '../fixtures';
import { withPinia } from '../setup';

afterEach(() => setApiForTesting(null));

const ChartStandIn = defineComponent({
  name: 'TimeSeriesChart',
  props: { series: { type: Array, default: () => [] } },
  setup: () => () => h('div'),
});

type Series = { name: string; y: number[] };
const fastgan = (step: number): StepStats => stat(step, { lossRecon: 0.5 - step / 100 });

function fakeApi(statsOf: (runId: string) => StepStats[]) {
  const api = createFakeApi();
  vi.mocked(api.getRun).mockImplementation(async (req) => detail(req.runId, []));
  vi.mocked(api.runStats).mockImplementation(async (req) => ({
    runId: req.runId,
    stats: statsOf(req.runId),
    total: statsOf(req.runId).length,
  }));
  setApiForTesting(api);
}

describe('lossRecon in the loss charts', () => {
  it('the column: values per step, NaN where a step lacks it, null for a run without it', () => {
    expect(lossReconColumn([fastgan(0), stat(1), fastgan(2)])).toEqual([0.5, Number.NaN, 0.48]);
    expect(lossReconColumn([stat(0), stat(1)])).toBeNull();
  });

  it('Train draws it with loss D and loss G for a fastgan run, and not for another run', async () => {
    fakeApi((id) => (id === '00001-fastgan' ? [0, 1, 2].map(fastgan) : [0, 1, 2].map((s) => stat(s))));
    const opts = withPinia();
    const wrapper = mount(TrainCharts, { global: { ...opts.global, stubs: { TimeSeriesChart: ChartStandIn } } });
    const training = useTrainingStore();
    const lossNames = () =>
      (wrapper.get('[data-testid="chart-loss"]').findComponent(ChartStandIn).props('series') as Series[]).map(
        (s) => s.name,
      );
    await training.showRun('00001-fastgan');
    await flushPromises();
    expect(lossNames()).toEqual(['loss D', 'loss G', 'recon (in loss D)']);
    const recon = (
      wrapper.get('[data-testid="chart-loss"]').findComponent(ChartStandIn).props('series') as Series[]
    )[2];
    expect(recon.y).toEqual([0.5, 0.49, 0.48]);
    await training.showRun('00002-dcgan');
    await flushPromises();
    expect(lossNames()).toEqual(['loss D', 'loss G']);
    wrapper.unmount();
  });

  it('run comparison draws it for the fastgan run only', async () => {
    fakeApi((id) => (id === '00001-fastgan' ? [0, 1].map(fastgan) : [0, 1].map((s) => stat(s))));
    const opts = withPinia();
    const runs = useRunsStore();
    await runs.compare('00001-fastgan', '00002-dcgan');
    const wrapper = mount(RunsCompare, {
      props: { ids: ['00001-fastgan', '00002-dcgan'] },
      global: { ...opts.global, stubs: { TimeSeriesChart: ChartStandIn } },
    });
    await flushPromises();
    const names = wrapper
      .findAllComponents(ChartStandIn)
      .flatMap((c) => (c.props('series') as Series[]).map((s) => s.name))
      .filter((n) => n.startsWith('recon'));
    expect(names).toEqual(['recon (in loss D) · 00001-fastgan']);
    wrapper.unmount();
  });
});
