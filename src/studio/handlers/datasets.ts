/** Handlers of the datasets domain (src/shared/contract/datasets.ts): the heavy work runs in the tools worker. */
import type { datasetsOperations } from '../../shared/contract';
import type { DomainHandlers, StudioContext } from './context';

export function setupDatasets({ paths, tools, datasets }: StudioContext): DomainHandlers<typeof datasetsOperations> {
  return {
    'datasets:list': async () => datasets.list(),

    'datasets:import': async (req) => {
      const dir = req.dir === null ? null : await paths.datasetDir(req.dir);
      const summary = await tools.call('importDataset', { dir, options: req.options, taskId: req.taskId });
      await datasets.remember(summary);
      return summary;
    },

    'datasets:cancel-import': async (req) => {
      tools.cancel(req.taskId);
    },

    'datasets:thumbnails': async (req) =>
      tools.call('thumbnails', {
        ...(await datasets.location(req.datasetId)),
        offset: req.offset,
        limit: req.limit,
        size: req.size,
      }),

    'datasets:skipped': async (req) =>
      tools.call('skipped', { ...(await datasets.location(req.datasetId)), offset: req.offset, limit: req.limit }),

    'datasets:preview': async (req) => {
      const dir = req.dir === null ? null : await paths.datasetDir(req.dir);
      return tools.call('preview', {
        dir,
        options: req.options,
        count: req.count,
        files: req.files,
        displaySize: req.displaySize,
        taskId: req.taskId,
      });
    },
  };
}
