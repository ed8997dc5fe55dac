/** Handlers of the export domain (src/shared/contract/export.ts). */
import type { exportOperations } from '../../shared/contract';
import type { DomainHandlers, StudioContext } from './context';
import { outputFolder } from './output-folder';

export function setupExport({ tools, runs, downloads }: StudioContext): DomainHandlers<typeof exportOperations> {
  return {
    'export:web': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      // `<run>/export-web/`, or a numbered sibling when an earlier export is there.
      const dir = await outputFolder(runs, checkpoint.runDir, req, async () => checkpoint.runDir, 'export-web');
      const quantize = req.quantize && req.quantize !== 'none' ? req.quantize : null;
      const result = await tools.call('exportWeb', { checkpoint, dir, quantize, taskId: req.taskId });
      return { ...result, download: downloads.offer(result.dir, 'folder') };
    },
  };
}
