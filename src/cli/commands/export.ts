/** `gan-studio export`: the generator for TensorFlow.js in a browser. */
import type { Command } from 'commander';
import { UserError, describeSkipped, exportForWeb, loadGenerator, useBackend } from '../../engine';
import { info, warn } from '../output';

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
