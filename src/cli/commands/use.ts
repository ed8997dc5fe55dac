/** `gan-studio generate` and `gan-studio export`: use a trained generator. */
import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BACKEND_NAMES } from '../../shared/config';
import { UserError, describeSkipped, exportForWeb, generateImages, gridPng, imagePng, latents, loadGenerator, parseClass, useBackend, writeFileAtomic } from '../../engine';
import { integer } from '../parse';
import { info, warn } from '../output';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate images from a checkpoint (a run folder means its newest checkpoint)')
    .requiredOption('--checkpoint <path>', 'run folder or checkpoint folder')
    .requiredOption('--count <n>', 'number of images', integer('--count', 1))
    .requiredOption('--out <dir>', 'folder to write PNGs into')
    .option('--seed <n>', 'seed of the latent vectors (same seed: same images)', integer('--seed'), 0)
    .option('--grid', 'also write grid.png with all images')
    .option('--scale <n>', 'integer upscale of the saved PNGs (nearest neighbour)', integer('--scale', 1), 1)
    .option('--class <name>', 'for a conditional run: the class to draw, by name or index (default: cycle through all)')
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .action(async (flags: { checkpoint: string; count: number; out: string; seed: number; grid?: boolean; scale: number; class?: string; backend: string }) => {
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend)) throw new UserError(`Unknown backend "${flags.backend}". Choose one of: ${BACKEND_NAMES.join(', ')}.`);
      await useBackend(flags.backend as (typeof BACKEND_NAMES)[number]);
      const gen = await loadGenerator(flags.checkpoint);
      for (const skipped of gen.skipped) warn(describeSkipped(skipped));
      try {
        const classes = flags.class === undefined ? null : parseClass(gen, flags.class);
        const images = await generateImages(gen, latents(flags.seed, flags.count, gen.latentDim, gen.latentDist), { classes, noiseSeed: flags.seed });
        await mkdir(flags.out, { recursive: true });
        const digits = Math.max(4, String(flags.count - 1).length);
        for (let i = 0; i < images.count; i++) {
          await writeFileAtomic(path.join(flags.out, `seed${flags.seed}-${String(i).padStart(digits, '0')}.png`), await imagePng(images, i, flags.scale));
        }
        if (flags.grid) await writeFileAtomic(path.join(flags.out, 'grid.png'), await gridPng(images, { scale: flags.scale }));
        info(`wrote ${images.count} images${flags.grid ? ' and grid.png' : ''} to ${flags.out} (${gen.ema ? 'EMA generator' : 'generator'}, step ${gen.state.step})`);
      } finally {
        gen.model.dispose();
      }
    });
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export the generator (EMA copy if present) for TensorFlow.js in the browser')
    .requiredOption('--checkpoint <path>', 'run folder or checkpoint folder')
    .option('--format <format>', 'export format (tfjs: LayersModel for tf.loadLayersModel)', 'tfjs')
    .requiredOption('--out <dir>', 'folder to write model.json, weights.bin and generator.json into')
    .action(async (flags: { checkpoint: string; format: string; out: string }) => {
      if (flags.format !== 'tfjs') throw new UserError(`Unknown export format "${flags.format}". Supported: tfjs.`);
      await useBackend('cpu'); // export only moves weights; no need to start a native or wasm runtime
      const gen = await loadGenerator(flags.checkpoint);
      for (const skipped of gen.skipped) warn(describeSkipped(skipped));
      try {
        const result = await exportForWeb(gen, flags.out);
        info(`exported ${gen.ema ? 'EMA generator' : 'generator'} (step ${result.step}, ${result.resolution}×${result.resolution}×${result.channels}, latent ${result.latentDim}) to ${flags.out}`);
      } finally {
        gen.model.dispose();
      }
    });
}
