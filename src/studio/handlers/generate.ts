/** Handlers of the generate domain (src/shared/contract/generate.ts): the tools worker generates and writes. */
import type { generateOperations } from '../../shared/contract';
import { parseLatentsFile as parseLatents } from '../../engine/light';
import { outputTarget } from '../output-guard';
import type { DomainHandlers, StudioContext } from './context';
import { outputFolder } from './output-folder';

export function setupGenerate({ tools, runs, downloads }: StudioContext): DomainHandlers<typeof generateOperations> {
  return {
    'generate:load': async (req) => tools.call('loadGenerator', { checkpoint: await runs.checkpoint(req.checkpoint) }),

    'generate:nearest': async (req) =>
      tools.call('nearestImages', {
        checkpoint: await runs.checkpoint(req.checkpoint),
        pin: req.pin,
        truncation: req.truncation,
        class: req.class,
        k: req.k,
        scale: req.scale,
      }),

    'generate:images': async (req) =>
      tools.call('generateImages', {
        checkpoint: await runs.checkpoint(req.checkpoint),
        seeds: req.seeds,
        truncation: req.truncation,
        scale: req.scale,
        class: req.class,
        classes: req.classes,
      }),

    'generate:interpolate': async (req) =>
      tools.call('interpolate', {
        checkpoint: await runs.checkpoint(req.checkpoint),
        pins: req.pins,
        framesPerSegment: req.framesPerSegment,
        loop: req.loop,
        truncation: req.truncation,
        scale: req.scale,
        class: req.class,
      }),

    'generate:save-image': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await runs.outputDir(req.dir, checkpoint.runDir, 'generated');
      const cls = req.pin.class ?? req.class;
      const smooth = req.filter === 'lanczos' && req.scale > 1 ? '-lanczos' : '';
      const defaultName = `seed${req.pin.seed}${cls != null ? `-class${cls}` : ''}-x${req.scale}${smooth}.png`;
      const file = await outputTarget(dir, { name: req.fileName, defaultName, overwrite: req.overwrite, kind: 'file' });
      const saved = await tools.call('saveImage', {
        checkpoint,
        pin: req.pin,
        truncation: req.truncation,
        scale: req.scale,
        filter: req.filter,
        class: req.class,
        file,
      });
      return { ...saved, download: downloads.offer(saved.path, 'file') };
    },

    'generate:export-interpolation': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await runs.outputDir(req.dir, checkpoint.runDir, 'generated');
      const base = `interp-${req.pins
        .map((p) => p.seed)
        .join('-')
        .slice(0, 80)}`;
      const gif = req.format === 'gif';
      const target = await outputTarget(dir, {
        name: req.name,
        defaultName: gif ? `${base}.gif` : base,
        overwrite: req.overwrite,
        kind: gif ? 'file' : 'folder',
      });
      const { overwrite: _overwrite, ...rest } = req;
      const saved = await tools.call('exportInterpolation', { ...rest, checkpoint, target });
      return { ...saved, download: downloads.offer(saved.path, gif ? 'file' : 'folder') };
    },

    'generate:batch': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await outputFolder(
        runs,
        checkpoint.runDir,
        req,
        () => runs.outputDir(undefined, checkpoint.runDir, 'generated'),
        `batch-${req.seed}`,
      );
      const saved = await tools.call('generateBatch', {
        checkpoint,
        count: req.count,
        seed: req.seed,
        truncation: req.truncation,
        scale: req.scale,
        filter: req.filter,
        class: req.class,
        dir,
        taskId: req.taskId,
      });
      return { ...saved, download: downloads.offer(saved.path, 'folder') };
    },

    'generate:save-latents': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await runs.outputDir(req.dir, checkpoint.runDir, 'generated');
      const defaultName = `latents-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
      const file = await outputTarget(dir, { name: req.fileName, defaultName, overwrite: req.overwrite, kind: 'file' });
      const { latents: _latents, ...saved } = await tools.call('saveLatents', {
        checkpoint,
        pins: req.pins,
        truncation: req.truncation,
        class: req.class,
        file,
      });
      return { ...saved, download: downloads.offer(saved.path, 'file') };
    },

    'generate:parse-latents': async (req) => parseLatents(req.json),
  };
}
