/** The stores' side of quality: metrics curves of the run on show and of compared runs, and fine-tuning from a checkpoint. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useConfigStore } from '@renderer/stores/config';
import { useRunsStore } from '@renderer/stores/runs';
import { useTrainingStore } from '@renderer/stores/training';
import { TrainConfigSchema } from '@shared/config';
import type { DatasetSummary } from '@shared/contract';
import { detail, metricsPoint, stat } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

describe('quality in the stores', () => {
  it('training: loads a run’s metrics.jsonl, adds live evaluations of that run only, and drops them past a resume', async () => {
    vi.mocked(api.getRun).mockResolvedValue(detail('00001-run', []));
    vi.mocked(api.runStats).mockResolvedValue({
      runId: '00001-run',
      stats: [stat(1), stat(2)],
      total: 2,
      metrics: [metricsPoint(0), metricsPoint(100)],
    });
    const t = useTrainingStore();
    await t.init();
    await t.showRun('00001-run');
    expect(t.metrics.map((m) => m.step)).toEqual([0, 100]);

    api.emit('training:event', { type: 'metrics', jobId: 'j', runId: '00001-run', metrics: metricsPoint(200) });
    api.emit('training:event', { type: 'metrics', jobId: 'j', runId: 'other', metrics: metricsPoint(300) });
    expect(t.metrics.map((m) => m.step)).toEqual([0, 100, 200]);
    api.emit('training:event', {
      type: 'info',
      jobId: 'j',
      runId: '00001-run',
      message: 'The data set has 40 images: none is held out.',
    });
    expect(t.notes).toEqual(['The data set has 40 images: none is held out.']);

    api.emit('training:event', {
      type: 'started',
      jobId: 'j2',
      runId: '00001-run',
      step: 100,
      steps: 500,
      backend: 'wasm',
      resumedFrom: 100,
    });
    expect(t.metrics.map((m) => m.step)).toEqual([0, 100]); // the evaluation at 200 is made again
  });

  it('runs: the selected run and every compared run come with their metrics', async () => {
    vi.mocked(api.getRun).mockImplementation(async ({ runId }) => detail(runId, []));
    vi.mocked(api.runStats).mockImplementation(async ({ runId }) => ({
      runId,
      stats: [stat(1)],
      total: 1,
      ...(runId === '00002-b' ? {} : { metrics: [metricsPoint(0, { swd: runId === '00001-a' ? 80 : 60 })] }),
    }));
    const runs = useRunsStore();
    await runs.select('00001-a');
    expect(runs.detailMetrics.map((m) => m.swd)).toEqual([80]);
    await runs.compare('00001-a', '00002-b', '00003-c');
    expect(Object.fromEntries(Object.entries(runs.compareMetrics).map(([k, v]) => [k, v.map((m) => m.swd)]))).toEqual({
      '00001-a': [80],
      '00002-b': [],
      '00003-c': [60],
    });
    runs.clearCompare();
    expect(runs.compareMetrics).toEqual({});
    runs.dispose();
  });

  it('fine-tuning: the form takes the run’s config and the checkpoint, the start sends it, removing it starts fresh', async () => {
    const config = useConfigStore();
    const training = useTrainingStore();
    const runConfig = TrainConfigSchema.parse({ preset: 'dcgan-28', g: { lr: 0.0007 } });
    config.fromCheckpoint(runConfig, '00004-big', 1500);
    expect(config.initFrom).toEqual({ runId: '00004-big', step: 1500 });
    expect((config.values.g as { lr: number }).lr).toBe(0.0007);
    config.setInitFrom({ optimizer: true });
    await training.start(runConfig, config.initFrom ?? undefined);
    expect(api.startTraining).toHaveBeenLastCalledWith({
      config: runConfig,
      initFrom: { runId: '00004-big', step: 1500, optimizer: true },
    });
    config.clearInitFrom();
    await training.start(runConfig, config.initFrom ?? undefined);
    expect(api.startTraining).toHaveBeenLastCalledWith({ config: runConfig });
    // On a different data set: "Use for training" on another folder keeps the start checkpoint.
    config.fromCheckpoint(runConfig, '00004-big', 1500);
    config.useDataset({
      dir: '/small-set',
      count: 120,
      options: { resolution: 28, channels: 1, resize: 'pad', background: '#ffffff', minSize: 8 },
    } as DatasetSummary);
    expect(config.initFrom).toEqual({ runId: '00004-big', step: 1500 });
    expect((config.values.data as { dir: string }).dir).toBe('/small-set');
    config.fromConfig(runConfig); // "New run from this config" is a fresh start
    expect(config.initFrom).toBeNull();
  });
});
