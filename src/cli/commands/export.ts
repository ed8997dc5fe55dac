/** `gan-studio export`: the generator for TensorFlow.js in a browser, with a demo page. */
import type { Command } from 'commander';
import {
  QUANTIZE_DTYPES,
  UserError,
  describeSkipped,
  exportForWeb,
  loadGenerator,
  activateBackend,
  type GeneratorInfo,
  type QuantizeDtype,
} from '../../engine';
import { serveFolder } from '../../server/folder-server';
import { openBrowser } from '../open-browser';
import { info, warn } from '../output';

interface ExportFlags {
  checkpoint: string;
  format: string;
  out: string;
  quantize?: string;
  open?: boolean;
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 1)} MB`;

/** The size line: what quantizing saved and what it cost, in grey levels on fixed seeds. */
function describeWeights(result: GeneratorInfo): string {
  const q = result.quantization;
  if (!q) return `weights: ${mb(result.weightBytes)} (float32)`;
  const seeds = `seeds ${q.seeds[0]}–${q.seeds[q.seeds.length - 1]}`;
  return `weights: ${mb(result.weightBytes)} (${q.dtype}) instead of ${mb(q.floatWeightBytes)} (float32); largest pixel difference against float on ${seeds}: ${q.maxPixelDiff} grey level${q.maxPixelDiff === 1 ? '' : 's'}`;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export the generator (EMA copy if present) for TensorFlow.js in the browser, with a demo page')
    .requiredOption('--checkpoint <path>', 'run folder or checkpoint folder')
    .option('--format <format>', 'export format (tfjs: LayersModel for tf.loadLayersModel)', 'tfjs')
    .requiredOption('--out <dir>', 'folder to write model.json, weights.bin, generator.json and the demo page into')
    .option('--quantize <dtype>', `smaller weights, dequantized by tf.loadLayersModel: ${QUANTIZE_DTYPES.join(' or ')}`)
    .option('--open', 'serve the folder on 127.0.0.1 and open the demo page (Ctrl-C stops)')
    .action(async (flags: ExportFlags) => {
      if (flags.format !== 'tfjs') throw new UserError(`Unknown export format "${flags.format}". Supported: tfjs.`);
      if (flags.quantize !== undefined && !(QUANTIZE_DTYPES as readonly string[]).includes(flags.quantize)) {
        throw new UserError(`Unknown --quantize "${flags.quantize}". Choose one of: ${QUANTIZE_DTYPES.join(', ')}.`);
      }
      await activateBackend('cpu'); // export only moves weights (and checks a few images when quantizing); no native or wasm runtime needed
      const gen = await loadGenerator(flags.checkpoint);
      for (const skipped of gen.skipped) warn(describeSkipped(skipped));
      let result: GeneratorInfo;
      try {
        result = await exportForWeb(gen, flags.out, {
          quantize: (flags.quantize as QuantizeDtype | undefined) ?? null,
        });
        info(
          `exported ${gen.ema ? 'EMA generator' : 'generator'} (step ${result.step}, ${result.resolution}×${result.resolution}×${result.channels}, latent ${result.latentDim}) to ${flags.out}`,
        );
        if (result.quantization) info(describeWeights(result));
      } finally {
        gen.model.dispose();
      }
      if (flags.open) {
        const server = await serveFolder(flags.out);
        info(`demo page: ${server.url}${result.demo} (serving ${flags.out} on loopback; Ctrl-C stops)`);
        openBrowser(`${server.url}${result.demo}`);
        await new Promise<void>((resolve) => process.once('SIGINT', resolve));
        await server.close();
      }
    });
}
