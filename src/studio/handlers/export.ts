/** Handlers of the export domain (src/shared/contract/export.ts). */
import type { exportOperations } from '../../shared/contract';
import type { DomainHandlers, StudioContext } from './context';

export function setupExport({ tools, runs }: StudioContext): DomainHandlers<typeof exportOperations> {
  return {
    'export:web': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await runs.outputDir(req.dir, checkpoint.runDir, 'export-web');
      return tools.call('exportWeb', { checkpoint, dir, taskId: req.taskId });
    },
  };
}
