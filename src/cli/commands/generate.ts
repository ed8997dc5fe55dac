/** `gan-studio generate`: images from a trained generator, by the seed rule (src/engine/generate/seed-rule.ts). */
import type { Command } from 'commander';
import { BACKEND_NAMES } from '../../shared/config';
import { UPSCALE_FILTERS, type UpscaleFilter } from '../../shared/upscale';
import {
  MAX_BATCH_IMAGES,
  UserError,
  checkImageCount,
  checkUpscale,
  describeSkipped,
  loadGenerator,
  parseClass,
  activateBackend,
  writeSeedBatch,
} from '../../engine';
import { decimal, integer } from '../parse';
import { info, warn } from '../output';
import { imageProgress } from '../progress';

interface GenerateFlags {
  checkpoint: string;
  count: number;
  out: string;
  seed: number;
  grid?: boolean;
  scale: number;
  filter: string;
  truncation: number;
  class?: string;
  backend: string;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate images from a checkpoint (a run folder means its newest checkpoint)')
    .requiredOption('--checkpoint <path>', 'run folder or checkpoint folder')
    .requiredOption(
      '--count <n>',
      `number of images (at most ${MAX_BATCH_IMAGES.toLocaleString('en-US')}; written in batches)`,
      integer('--count', 1),
    )
    .requiredOption('--out <dir>', 'folder to write PNGs into')
    .option(
      '--seed <n>',
      'seed of the first image; image k is the image of seed + k (as in the studio and on the export page)',
      integer('--seed'),
      0,
    )
    .option('--grid', 'also write grid.png with all images')
    .option('--scale <n>', 'integer upscale of the saved PNGs', integer('--scale', 1), 1)
    .option(
      '--filter <name>',
      `how --scale enlarges: ${UPSCALE_FILTERS.join(' (crisp pixels) or ')} (smooth, sharp's lanczos3)`,
      'nearest',
    )
    .option(
      '--truncation <psi>',
      'truncation ψ: scale the latents towards their mean (1: none)',
      decimal('--truncation', 0, 2),
      1,
    )
    .option('--class <name>', 'for a conditional run: the class to draw, by name or index (default: cycle through all)')
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .action(async (flags: GenerateFlags) => {
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend))
        throw new UserError(`Unknown backend "${flags.backend}". Choose one of: ${BACKEND_NAMES.join(', ')}.`);
      checkImageCount(flags.count, flags.grid); // before loading anything
      const filter: UpscaleFilter = checkUpscale(flags.scale, flags.filter);
      await activateBackend(flags.backend as (typeof BACKEND_NAMES)[number]);
      const gen = await loadGenerator(flags.checkpoint);
      for (const skipped of gen.skipped) warn(describeSkipped(skipped));
      const progress = imageProgress(flags.count);
      try {
        const cls = flags.class === undefined ? null : parseClass(gen, flags.class);
        const result = await writeSeedBatch(gen, {
          dir: flags.out,
          seed: flags.seed,
          count: flags.count,
          truncation: flags.truncation,
          class: cls,
          scale: flags.scale,
          filter,
          grid: flags.grid,
          onProgress: (done) => progress.update(done),
        });
        progress.stop();
        info(
          `wrote ${result.files} images${result.grid ? ' and grid.png' : ''} to ${flags.out} (${gen.ema ? 'EMA generator' : 'generator'}, step ${gen.state.step})`,
        );
      } finally {
        progress.stop();
        gen.model.dispose();
      }
    });
}
