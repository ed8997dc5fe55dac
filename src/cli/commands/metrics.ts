/** `gan-studio metrics` (SWD, KID, diversity of a checkpoint) and `gan-studio nearest` (the memorization check). */
import type { Command } from 'commander';
import { BACKEND_NAMES } from '../../shared/config';
import {
  NEAREST_FILE,
  UserError,
  activateBackend,
  checkpointMetrics,
  checkpointNearest,
  loadGenerator,
} from '../../engine';
import { copyingWarning, formatMetricsLine } from '../metrics-format';
import { info, warn } from '../output';
import { integer } from '../parse';

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description(
      "Score a checkpoint: multi-scale SWD, KID and diversity of its samples against the run's held-out images (no downloaded weights)",
    )
    .requiredOption('--checkpoint <path>', 'run folder (its newest checkpoint) or checkpoint folder')
    .option('--count <n>', 'generated images to score', integer('--count', 16), 256)
    .option('--json', 'print the result as JSON on stdout')
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .action(async (flags: { checkpoint: string; count: number; json?: boolean; backend: string }) => {
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend))
        throw new UserError(`Unknown backend "${flags.backend}". Choose one of: ${BACKEND_NAMES.join(', ')}.`);
      await activateBackend(flags.backend as (typeof BACKEND_NAMES)[number]);
      const gen = await loadGenerator(flags.checkpoint);
      try {
        const result = await checkpointMetrics(gen, flags.count);
        if (result.note) info(result.note);
        if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
        else info(formatMetricsLine(result));
        const copying = copyingWarning(result.copying);
        if (copying) warn(copying);
      } finally {
        gen.model.dispose();
      }
    });
}

export function registerNearest(program: Command): void {
  program
    .command('nearest')
    .description(
      'Memorization check: samples of a checkpoint with their nearest training images (features and pixels), and a copying score',
    )
    .requiredOption('--checkpoint <path>', 'run folder (its newest checkpoint) or checkpoint folder')
    .requiredOption('--count <n>', 'samples to check', integer('--count', 1))
    .requiredOption('--out <dir>', 'folder for the PNG strips and nearest.json')
    .option('--k <n>', 'nearest training images per sample', integer('--k', 1), 3)
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .action(async (flags: { checkpoint: string; count: number; out: string; k: number; backend: string }) => {
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend))
        throw new UserError(`Unknown backend "${flags.backend}". Choose one of: ${BACKEND_NAMES.join(', ')}.`);
      await activateBackend(flags.backend as (typeof BACKEND_NAMES)[number]);
      const gen = await loadGenerator(flags.checkpoint);
      try {
        const report = await checkpointNearest(gen, flags.count, flags.k, flags.out);
        if (report.note) info(report.note);
        if (report.copying) {
          const pct = (report.copying.score * 100).toFixed(0);
          const high = copyingWarning(report.copying.score);
          if (high) warn(high);
          else
            info(
              `copying score ${pct}%: share of samples closer to a training image than 95% of the ${report.copying.heldout} held-out images are`,
            );
        }
        info(
          `wrote ${report.samples.length} strips (sample, then its ${flags.k} nearest in features, then in pixels) and ${NEAREST_FILE} to ${flags.out}`,
        );
      } finally {
        gen.model.dispose();
      }
    });
}
