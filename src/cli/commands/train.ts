/**
 * `gan-studio train`: start a run, or continue one with --resume.
 * Ctrl-C or SIGTERM finishes the current step, saves a checkpoint and exits.
 */
import type { Command } from 'commander';
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BACKEND_NAMES, type TrainConfig } from '../../shared/config';
import { useBackend } from '../../engine/backend';
import { parseConfig, parseSet, resolveConfig } from '../../engine/config/resolve';
import { PRESET_NAMES } from '../../engine/config/presets';
import { formatReport } from '../../engine/dataset';
import { UserError } from '../../engine/errors';
import { isCheckpointFolder } from '../../engine/run/checkpoint-pick';
import { CONFIG_FILE, listCheckpoints, runDirOf } from '../../engine/run/run-dir';
import { resumeRun, trainNewRun, type TrainEvent } from '../../engine/train/run-training';
import { importForConfig } from '../../engine/train/training-data';
import { collect, integer } from '../parse';
import { info, warn } from '../output';
import { formatMetricsLine } from '../metrics-format';
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
  backend?: string;
  seed?: number;
  sampleEvery?: number;
  checkpointEvery?: number;
}

/** Options a resumed run may change; everything else would break the checkpoint. */
const RESUMABLE_KEYS = new Set(['steps', 'sampleEvery', 'checkpointEvery', 'keepCheckpoints', 'backend', 'data.dir', 'metrics.enabled', 'metrics.every', 'metrics.samples', 'metrics.budget']);

/** The run folder of a --resume target: the folder itself, or the run a checkpoint folder belongs to. */
async function resumeRunDir(target: string): Promise<string> {
  return (await isCheckpointFolder(target)) ? runDirOf(target) : target;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train a GAN on a folder of images (the bundled Fashion-MNIST demo set without --data)')
    .option('--data <dir>', 'folder of training images, searched recursively; class subfolders become labels')
    .option('--preset <name>', `model preset: ${PRESET_NAMES.join(', ')} (default: dcgan-28 on the demo data, dcgan-64 on --data)`)
    .option('--config <file>', 'JSON file with options (see `gan-studio config --schema`)')
    .option('--set <key=value>', 'set any option, e.g. --set g.lr=0.0001 (repeatable)', collect, [])
    .option('--steps <n>', 'total training steps', integer('--steps'))
    .option('--batch <n>', 'batch size', integer('--batch'))
    .option('--out <dir>', 'folder that holds the run folders', 'runs')
    .option('--name <name>', 'run name (part of the run folder name)')
    .option('--init-from <path>', 'fine-tune: start a new run from the weights (G, D, G-EMA) of a run folder or checkpoint folder; the architectures must match')
    .option('--resume <path>', 'continue a run from its newest intact checkpoint (a run folder), or from one checkpoint folder')
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`)
    .option('--seed <n>', 'random seed (same seed and backend: same run)', integer('--seed'))
    .option('--sample-every <n>', 'save a sample grid every N steps', integer('--sample-every'))
    .option('--checkpoint-every <n>', 'save a checkpoint every N steps', integer('--checkpoint-every'))
    .action(async (flags: TrainFlags) => train(flags));
}

function flagOverrides(flags: TrainFlags): Record<string, unknown> {
  return {
    steps: flags.steps,
    batchSize: flags.batch,
    name: flags.name,
    backend: flags.backend,
    seed: flags.seed,
    sampleEvery: flags.sampleEvery,
    checkpointEvery: flags.checkpointEvery,
    'data.dir': flags.data === undefined ? undefined : path.resolve(flags.data),
  };
}

async function newRunConfig(flags: TrainFlags): Promise<TrainConfig> {
  return resolveConfig({
    preset: flags.preset ?? (flags.data ? 'dcgan-64' : 'dcgan-28'),
    configFile: flags.config,
    sets: flags.set,
    overrides: flagOverrides(flags),
  });
}

/** The run's own config.json, with only the run-control options the user changed. */
async function resumeConfig(flags: TrainFlags): Promise<TrainConfig> {
  const runDir = await resumeRunDir(flags.resume!);
  if (flags.preset || flags.config) {
    throw new UserError('--resume continues a run with its own options; --preset and --config cannot be combined with it (--data may name the same images in a new place).');
  }
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flagOverrides(flags))) if (value !== undefined) changed[key] = value;
  for (const entry of flags.set) changed[parseSet(entry).key] = true;
  const fixed = Object.keys(changed).filter((k) => !RESUMABLE_KEYS.has(k));
  if (fixed.length > 0) {
    throw new UserError(`--resume cannot change ${fixed.join(', ')}; only ${[...RESUMABLE_KEYS].join(', ')} may change on resume.`);
  }
  let text: string;
  try {
    text = await readFile(path.join(runDir, CONFIG_FILE), 'utf8');
  } catch {
    throw new UserError(`Not a run folder: ${runDir} (no ${CONFIG_FILE}).`);
  }
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch (err) {
    throw new UserError(`Corrupt ${path.join(runDir, CONFIG_FILE)}: ${(err as Error).message}`);
  }
  const base = parseConfig(tree, path.join(runDir, CONFIG_FILE));
  return resolveConfig({ base, sets: flags.set, overrides: flagOverrides(flags) });
}

/**
 * Check that the runs folder can be made, before the import and without
 * making it, so a bad --out fails at once with a clear line and leaves nothing.
 */
async function checkOutDir(out: string): Promise<void> {
  let dir = path.resolve(out);
  for (;;) {
    const info = await stat(dir).catch(() => null);
    if (info) {
      if (!info.isDirectory()) throw new UserError(`Cannot create the runs folder ${out}: ${dir} is not a folder.`);
      try {
        await access(dir, constants.W_OK);
      } catch {
        throw new UserError(`Cannot create the runs folder ${out}: ${dir} is not writable.`);
      }
      return;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** A resumed run must have steps left to train. */
async function checkStepsLeft(target: string, steps: number): Promise<void> {
  const explicit = await isCheckpointFolder(target);
  const all = await listCheckpoints(explicit ? runDirOf(target) : target);
  const newest = explicit ? all.find((c) => path.resolve(c.dir) === path.resolve(target)) : all.at(-1);
  const runDir = target;
  if (newest && newest.step >= steps) {
    throw new UserError(`Run ${runDir} is already at step ${newest.step}; pass --steps above ${newest.step} to train further.`);
  }
}

async function train(flags: TrainFlags): Promise<void> {
  const config = flags.resume ? await resumeConfig(flags) : await newRunConfig(flags);
  if (flags.resume) await checkStepsLeft(flags.resume, config.steps);
  const backend = await useBackend(config.backend);
  info(`backend: ${backend.name} (${backend.why})`);

  const controller = new AbortController();
  let progress: StepProgress | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      info(`${signal} again: exiting without a final checkpoint.`);
      process.exit(130);
    }
    const message = progress
      ? `${signal}: stopping after this step and saving a checkpoint (press Ctrl-C again to quit at once)`
      : `${signal}: stopping`;
    if (progress) progress.log(message);
    else info(message);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (!flags.resume) await checkOutDir(flags.out);
    const bar = importProgress();
    let dataset;
    try {
      dataset = await importForConfig(config, { onProgress: (p) => bar.update(p), signal: controller.signal });
    } catch (err) {
      if (!controller.signal.aborted) throw err;
      info('stopped during the dataset import; nothing was trained.');
      return;
    } finally {
      bar.stop();
    }
    const { report } = dataset;
    info(
      `data: ${dataset.count} images from ${config.data.dir ?? 'the bundled Fashion-MNIST demo set'}` +
        `${dataset.fromCache ? ' (cached)' : ''}, ${dataset.resolution}×${dataset.resolution}×${dataset.channels}` +
        `${dataset.classNames.length ? `, ${dataset.classNames.length} classes` : ''}` +
        `${report.skipped.length ? `, ${report.skipped.length} files skipped` : ''}`,
    );
    if (report.skipped.length) info(formatReport(report, 5));
    if (controller.signal.aborted) return;

    const onEvent = (event: TrainEvent) => {
      switch (event.type) {
        case 'start':
          info(`${event.resumedFrom ? `resuming from ${event.resumedFrom}` : 'run'}: ${event.runDir}`);
          progress = stepProgress(event.step, event.steps, config.batchSize);
          break;
        case 'step':
          progress?.update(event.stats);
          break;
        case 'checkpoint':
          progress?.log(`checkpoint: ${event.dir}`);
          break;
        case 'warning':
          if (progress) progress.log(`warning: ${event.message}`);
          else warn(event.message);
          break;
        case 'info':
          if (progress) progress.log(event.message);
          else info(event.message);
          break;
        case 'metrics':
          if (progress) progress.log(formatMetricsLine(event.metrics));
          else info(formatMetricsLine(event.metrics));
          break;
        case 'done':
          progress?.stop();
          info(`${event.status === 'finished' ? 'finished' : 'stopped'} at step ${event.step}: ${event.runDir}`);
          break;
      }
    };
    const input = {
      config,
      data: dataset,
      datasetKey: dataset.cacheKey,
      importReport: report,
      backend: backend.name,
      signal: controller.signal,
      onEvent,
    };
    if (flags.resume) await resumeRun(flags.resume, input);
    else await trainNewRun(flags.out, { ...input, initFrom: flags.initFrom });
  } finally {
    (progress as StepProgress | null)?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
