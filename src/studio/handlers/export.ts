/** Handlers of the export domain (src/shared/contract/export.ts). */
import { mkdir } from 'node:fs/promises';
import type { exportOperations } from '../../shared/contract';
import { checkOutputFolder, outputTarget } from '../output-guard';
import type { DomainHandlers, StudioContext } from './context';

export function setupExport({ tools, runs, downloads }: StudioContext): DomainHandlers<typeof exportOperations> {
  return {
    'export:web': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      let dir: string;
      if (req.dir) {
        dir = await runs.outputDir(req.dir, checkpoint.runDir, '');
        await checkOutputFolder(dir, req.overwrite);
      } else {
        // `<run>/export-web/`, or a numbered sibling when an earlier export is there.
        dir = await outputTarget(checkpoint.runDir, { defaultName: 'export-web', kind: 'folder' });
        await mkdir(dir, { recursive: true });
      }
      const quantize = req.quantize && req.quantize !== 'none' ? req.quantize : null;
      const result = await tools.call('exportWeb', { checkpoint, dir, quantize, taskId: req.taskId });
      return { ...result, download: downloads.offer(result.dir, 'folder') };
    },
  };
}
