/** Handlers of the training domain (src/shared/contract/training.ts): the config form and the one training job. */
import { mkdir } from 'node:fs/promises';
import { TrainConfigSchema } from '../../shared/config';
import type { trainingOperations } from '../../shared/contract';
import { configSchemaInfo, resolveConfigRequest } from '../config-service';
import type { DomainHandlers, StudioContext } from './context';

export function setupTraining({
  paths,
  training,
  datasets,
  runs,
}: StudioContext): DomainHandlers<typeof trainingOperations> {
  return {
    'config:schema': async () => configSchemaInfo(),
    'config:resolve': async (req) => resolveConfigRequest(req),

    'training:state': async () => training.state,

    'training:start': async (req) => {
      const config = TrainConfigSchema.parse(req.config);
      if (config.data.dir !== null) {
        // Data folders imported before stay allowed.
        await datasets.load();
        config.data.dir = await paths.datasetDir(config.data.dir);
      }
      // Fine-tuning names a checkpoint by run id and step, never by a path.
      const initFrom = req.initFrom
        ? {
            dir: (await runs.checkpoint(req.initFrom)).checkpointDir,
            optimizer: req.initFrom.optimizer,
            ada: req.initFrom.ada,
          }
        : undefined;
      await mkdir(paths.runsRoot, { recursive: true });
      return { jobId: training.startNew(config, initFrom) };
    },

    'training:pause': async () => training.pause(),
    'training:resume': async () => training.resume(),
    'training:stop': async () => training.stop(),

    'training:resume-run': async (req) => {
      const runDir = await runs.runDir(req.runId);
      const plan = await runs.planResume(req.runId, runDir, req.changes);
      // The worker plans again under the run's lock; `plan.config.steps` is only for the state shown until it reports.
      return { jobId: training.resumeRun(req.runId, runDir, req.changes ?? {}, plan.config.steps) };
    },
  };
}
