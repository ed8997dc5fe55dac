/** Handlers of the generate domain (src/shared/contract/generate.ts): the tools worker generates and writes. */
import path from 'node:path';
import type { generateOperations } from '../../shared/contract';
import { parseLatents } from '../latents-file';
import type { DomainHandlers, StudioContext } from './context';

export function setupGenerate({ tools, runs }: StudioContext): DomainHandlers<typeof generateOperations> {
  return {
    'generate:load': async (req) => tools.call('loadGenerator', { checkpoint: await runs.checkpoint(req.checkpoint) }),

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
      const file = path.join(dir, req.fileName ?? `seed${req.pin.seed}${cls != null ? `-class${cls}` : ''}-x${req.scale}.png`);
      return tools.call('saveImage', { checkpoint, pin: req.pin, truncation: req.truncation, scale: req.scale, class: req.class, file });
    },

    'generate:export-interpolation': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await runs.outputDir(req.dir, checkpoint.runDir, 'generated');
      const base = `interp-${req.pins.map((p) => p.seed).join('-').slice(0, 80)}`;
      const target = path.join(dir, req.name ?? (req.format === 'gif' ? `${base}.gif` : base));
      return tools.call('exportInterpolation', { ...req, checkpoint, target });
    },

    'generate:batch': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = req.dir ? await runs.outputDir(req.dir, checkpoint.runDir, '') : await runs.outputDir(undefined, checkpoint.runDir, path.join('generated', `batch-${req.seed}`));
      return tools.call('generateBatch', { checkpoint, count: req.count, seed: req.seed, truncation: req.truncation, scale: req.scale, class: req.class, dir, taskId: req.taskId });
    },

    'generate:save-latents': async (req) => {
      const checkpoint = await runs.checkpoint(req.checkpoint);
      const dir = await runs.outputDir(req.dir, checkpoint.runDir, 'generated');
      const file = path.join(dir, req.fileName ?? `latents-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      const { latents: _latents, ...saved } = await tools.call('saveLatents', { checkpoint, pins: req.pins, truncation: req.truncation, class: req.class, file });
      return saved;
    },

    'generate:parse-latents': async (req) => parseLatents(req.json),
  };
}
