/** Handlers of the runs domain (src/shared/contract/runs.ts): plain file reads of run folders. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { runsOperations } from '../../shared/contract';
import { StudioError } from '../errors';
import { planRepair, readRunConfig, repairRun } from '../../engine/light';
import {
  deleteRun,
  diffConfigs,
  listRuns,
  newestSampleStep,
  readRunMetrics,
  readRunStats,
  runDetail,
  sampleFile,
} from '../runs';
import type { DomainHandlers, StudioContext } from './context';

export function setupRuns({
  tools,
  training,
  runs,
  watcher,
  emit,
}: StudioContext): DomainHandlers<typeof runsOperations> {
  return {
    'runs:list': async () => listRuns(runs.runsRoot, runs.live()),

    'runs:get': async (req) => {
      await runs.runDir(req.runId);
      return runDetail(runs.runsRoot, req.runId, runs.live());
    },

    'runs:stats': async (req) => {
      const dir = await runs.runDir(req.runId);
      const [stats, metrics] = await Promise.all([
        readRunStats(dir, req.fromStep ?? -1, req.maxPoints),
        readRunMetrics(dir, req.fromStep ?? -1),
      ]);
      return { runId: req.runId, ...stats, metrics };
    },

    'runs:sample': async (req) => {
      const dir = await runs.runDir(req.runId);
      const step = req.step ?? (await newestSampleStep(dir));
      if (step === null) throw new StudioError(`Run ${req.runId} has no samples yet.`);
      const file = sampleFile(dir, step);
      if (!existsSync(file)) throw new StudioError(`Run ${req.runId} has no sample at step ${step}.`);
      if (req.maxSize)
        return { runId: req.runId, step, ...(await tools.call('sampleImage', { file, maxSize: req.maxSize })) };
      const png = await readFile(file);
      // Width and height from the PNG's IHDR chunk.
      return {
        runId: req.runId,
        step,
        dataUrl: `data:image/png;base64,${png.toString('base64')}`,
        width: png.readUInt32BE(16),
        height: png.readUInt32BE(20),
      };
    },

    'runs:diff': async (req) => {
      const [a, b] = await Promise.all([
        readRunConfig(await runs.runDir(req.a)),
        readRunConfig(await runs.runDir(req.b)),
      ]);
      return diffConfigs(a, b);
    },

    'runs:delete': async (req) => {
      const dir = await runs.runDir(req.runId);
      if (training.liveRunId === req.runId)
        throw new StudioError(`Run ${req.runId} is training: stop it before deleting it.`);
      await runs.assertNotTrainedElsewhere(req.runId);
      await deleteRun(dir);
      watcher.dropRun(req.runId);
      emit('runs:changed', { runId: req.runId, reason: 'deleted' });
    },

    'runs:repair': async (req) => {
      const dir = await runs.runDir(req.runId);
      if (training.liveRunId === req.runId)
        throw new StudioError(`Run ${req.runId} is training: stop it before repairing it.`);
      await runs.assertNotTrainedElsewhere(req.runId);
      const report = req.apply ? await repairRun(dir) : await planRepair(dir);
      if (req.apply) emit('runs:changed', { runId: req.runId, reason: 'updated' });
      return { runId: req.runId, actions: report.actions, unrepairable: report.unrepairable, applied: report.applied };
    },

    'runs:follow': async (req) => {
      await runs.runDir(req.runId);
      return watcher.follow(req.runId, req.followerId);
    },

    'runs:unfollow': async (req) => {
      watcher.unfollow(req.runId, req.followerId);
    },
  };
}
