/**
 * `gan-studio train`: start a run, or continue one with --resume. This file
 * parses the flags and draws the progress; the engine's startRun does the
 * rest. Ctrl-C or SIGTERM finishes the current step, saves a checkpoint and exits.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { BACKEND_NAMES } from '../../shared/config';
import { PRESET_NAMES, UserError, formatReport, planRun, startRun, type RunEvent, type RunRequest } from '../../engine';
import { collect, integer } from '../parse';
import { info, warn } from '../output';
import { copyingWarning, formatMetricsLine } from '../metrics-format';
import { importProgress, stepProgress, type StepProgress } from '../progress';

interface TrainFlags {
  data?: string;
  preset?: string;
  config?: string;
  set: string[];
  steps?: number;
  batch?: number;
  out: string;
  name?: string;
  resume?: string;
  initFrom?: string;
  initOptimizer?: boolean;
  initAda?: boolean;
  backend?: string;
  threads?: number;
  replicas?: number;
  seed?: number;
  sampleEvery?: number;
  checkpointEvery?: number;
  dryRun?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a GAN on a folder of images (the bundled Fashion-MNIST demo set without --data)')
    .option('--data <dir>', 'folder of training images, searched recursively; class subfolders become labels')
    .option(
      '--preset <name>',
      `model preset: ${PRESET_NAMES.join(', ')} (default: dcgan-28 on the demo data, dcgan-64 on --data)`,
    )
    .option('--config <file>', 'JSON file with options (see `gan-studio config --schema`)')
    .option('--set <key=value>', 'set any option, e.g. --set g.lr=0.0001 (repeatable)', collect, [])
    .option('--steps <n>', 'total training steps', integer('--steps'))
    .option('--batch <n>', 'batch size', integer('--batch'))
    .option('--out <dir>', 'folder that holds the run folders', 'runs')
    .option('--name <name>', 'run name (part of the run folder name)')
    .option(
      '--init-from <path>',
      'fine-tune: start a new run from the weights (G, D, G-EMA) of a run folder or checkpoint folder; the architectures must match',
    )
    .option('--init-optimizer', 'with --init-from: carry the optimizer state too (the same g/d.optimizer as that run)')
    .option('--init-ada', 'with --init-from: keep its ADA augmentation probability (it restarts by default)')
    .option(
      '--resume <path>',
      'continue a run from its newest intact checkpoint (a run folder), or from one checkpoint folder',
    )
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`)
    .option(
      '--threads <n>',
      'CPU threads for the wasm backend (default: all physical cores; same results for any count)',
      integer('--threads'),
    )
    .option(
      '--replicas <n>',
      'data-parallel wasm replicas, one per core, each on 1/N of the batch (default 1; results depend on N, see docs/perf-notes.md)',
      integer('--replicas', 1),
    )
    .option('--seed <n>', 'random seed (same seed and backend: same run)', integer('--seed'))
    .option('--sample-every <n>', 'save a sample grid every N steps', integer('--sample-every'))
    .option('--checkpoint-every <n>', 'save a checkpoint every N steps', integer('--checkpoint-every'))
    .option('--dry-run', 'print the resolved config and the run folder it would use, and stop (creates nothing)')
    .action(async (flags: TrainFlags) => (flags.dryRun ? dryRun(flags) : train(flags)));
}

function flagOverrides(flags: TrainFlags): Record<string, unknown> {
  return {
    steps: flags.steps,
    batchSize: flags.batch,
    name: flags.name,
    backend: flags.backend,
    threads: flags.threads,
    replicas: flags.replicas,
    seed: flags.seed,
    sampleEvery: flags.sampleEvery,
    checkpointEvery: flags.checkpointEvery,
    'data.dir': flags.data === undefined ? undefined : path.resolve(flags.data),
  };
}

function runRequest(flags: TrainFlags): RunRequest {
  if ((flags.initOptimizer || flags.initAda) && !flags.initFrom)
    throw new UserError(
      `${flags.initOptimizer ? '--init-optimizer' : '--init-ada'} needs --init-from (the run to carry it from).`,
    );
  if (!flags.resume) {
    const sources = {
      preset: flags.preset ?? (flags.data ? 'dcgan-64' : 'dcgan-28'),
      configFile: flags.config,
      sets: flags.set,
      overrides: flagOverrides(flags),
    };
    return {
      mode: 'new',
      runsRoot: flags.out,
      config: { sources },
      initFrom: flags.initFrom,
      initOptions: flags.initFrom ? { optimizer: flags.initOptimizer, ada: flags.initAda } : undefined,
    };
  }
  if (flags.preset || flags.config) {
    throw new UserError(
      '--resume continues a run with its own options; --preset and --config cannot be combined with it (--data may name the same images in a new place).',
    );
  }
  return {
    mode: 'resume',
    runDir: flags.resume,
    changes: flagOverrides(flags),
    sets: flags.set,
    stepsOption: '--steps',
  };
}

/** `--dry-run`: the resolved config on stdout, the run folder on stderr; nothing is created. */
async function dryRun(flags: TrainFlags): Promise<void> {
  const plan = await planRun(runRequest(flags));
  process.stdout.write(JSON.stringify(plan.config, null, 2) + '\n');
  if (plan.mode === 'new') info(`dry run: would create ${plan.runDir}`);
  else
    info(
      `dry run: would resume ${plan.runDir} ${plan.resumeFromStep === null ? 'from step 0 (no checkpoint yet)' : `from step ${plan.resumeFromStep}`} to step ${plan.config.steps}`,
    );
}

async function train(flags: TrainFlags): Promise<void> {
  const request = runRequest(flags);
  const controller = new AbortController();
  let progress: StepProgress | null = null;
  const bar = importProgress();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      info(`${signal} again: exiting without a final checkpoint.`);
      process.exit(130);
    }
    const message = progress
      ? `${signal}: stopping after this step and saving a checkpoint (press Ctrl-C again to quit at once)`
      : `${signal}: stopping`;
    if (progress) progress.log(message);
    else bar.log(message);
    controller.abort();
  };

  let batchSize = 0;
  const onEvent = (event: RunEvent): void => {
    switch (event.type) {
      case 'plan':
        batchSize = event.plan.config.batchSize;
        break;
      case 'backend':
        info(`backend: ${event.name} (${event.why})`);
        // Signals stop the run from here on: what came before is quick and leaves nothing behind.
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        break;
      case 'import-progress':
        bar.update(event);
        break;
      case 'imported': {
        bar.stop();
        const { dataset, config } = event;
        const { report } = dataset;
        info(
          `data: ${dataset.count} images from ${config.data.dir ?? 'the bundled Fashion-MNIST demo set'}` +
            `${dataset.fromCache ? ' (cached)' : ''}, ${dataset.resolution}×${dataset.resolution}×${dataset.channels}` +
            // Class folders only matter to a conditional run; an unconditional one ignores them.
            `${config.conditional.enabled && dataset.classNames.length ? `, ${dataset.classNames.length} classes` : ''}` +
            `${report.skipped.length ? `, ${report.skipped.length} files skipped` : ''}`,
        );
        if (report.skipped.length) info(formatReport(report, 5));
        break;
      }
      case 'cancelled':
        bar.stop();
        if (event.during === 'import') info('stopped during the dataset import; nothing was trained.');
        break;
      case 'start':
        info(`${event.resumedFrom ? `resuming from ${event.resumedFrom}` : 'run'}: ${event.runDir}`);
        progress = stepProgress(event.step, event.steps, batchSize);
        break;
      case 'step':
        progress?.update(event.stats);
        break;
      case 'checkpoint':
        progress?.log(`checkpoint: ${event.dir}`);
        break;
      case 'warning':
        if (progress) progress.log(`warning: ${event.message}`);
        else bar.log(`warning: ${event.message}`);
        break;
      case 'info':
        if (progress) progress.log(event.message);
        else bar.log(event.message);
        break;
      case 'metrics': {
        if (progress) progress.log(formatMetricsLine(event.metrics));
        else info(formatMetricsLine(event.metrics));
        const copying = copyingWarning(event.metrics.copying);
        if (copying && progress) progress.log(`warning: ${copying}`);
        else if (copying) warn(copying);
        break;
      }
      case 'done':
        progress?.stop();
        progress = null;
        info(`${event.status === 'finished' ? 'finished' : 'stopped'} at step ${event.step}: ${event.runDir}`);
        break;
      case 'failed':
        bar.stop();
        progress?.stop();
        progress = null;
        break;
    }
  };

  try {
    await startRun(request, { signal: controller.signal, onEvent });
  } finally {
    bar.stop();
    (progress as StepProgress | null)?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
