/**
 * What a start or resume will do, resolved and checked before anything slow
 * or anything written: the config (or the run's own config with the resume
 * changes), the run folder, the step it continues from. Plain file reads, no
 * tfjs, so the studio's main process and `train --dry-run` use it too.
 * After StyleGAN2-ADA's setup_training_loop_kwargs: every check up front.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { RESUMABLE_KEYS, isResumableKey } from '../../shared/run';
import { parseSet, resolveConfig, type ConfigSources } from '../config/resolve';
import { UserError } from '../errors';
import type { InitOptions } from '../train/init-from';
import { readRunConfig } from './config-file';
import { assertRunUnlocked } from './lock';
import { isCheckpointFolder, listCheckpoints, nextRunDir, runDirOf } from './run-dir';

export type RunRequest =
  | {
      mode: 'new';
      /** The folder that holds the run folders. */
      runsRoot: string;
      /** A checked config, or the sources to resolve one from (preset < config file < sets < overrides). */
      config: TrainConfig | { sources: ConfigSources };
      /** Fine-tuning: start from the weights of this run folder or checkpoint folder. */
      initFrom?: string;
      /** With initFrom: carry the optimizer state and/or the ADA probability too. */
      initOptions?: InitOptions;
    }
  | {
      mode: 'resume';
      /** The run folder (resume from its newest intact checkpoint), or one checkpoint folder of it. */
      runDir: string;
      /** Typed changes (undefined values are ignored); every key must be resumable. */
      changes?: Record<string, unknown>;
      /** `key=value` changes, as `--set` gives them; every key must be resumable. */
      sets?: string[];
      /** How the front end names the steps option in its messages (`--steps` on the CLI). */
      stepsOption?: string;
    };

export interface RunPlan {
  mode: 'new' | 'resume';
  /** The resolved config the run trains with (a conditional run's class count comes from the data later). */
  config: TrainConfig;
  /** Resume: the run folder. New: the folder it would get now (another run starting first takes the next number). */
  runDir: string;
  /** Resume: what was asked for, the run folder or one checkpoint folder (what resumeRun takes). */
  resumeTarget: string | null;
  runsRoot: string;
  /** Resume: the step of the newest checkpoint it continues from (null: no checkpoint yet, it starts over). */
  resumeFromStep: number | null;
}

export async function planRun(request: RunRequest): Promise<RunPlan> {
  return request.mode === 'new' ? planNew(request) : planResume(request);
}

async function planNew(request: Extract<RunRequest, { mode: 'new' }>): Promise<RunPlan> {
  const config = 'sources' in request.config ? await resolveConfig(request.config.sources) : request.config;
  await checkRunsRoot(request.runsRoot);
  const runsRoot = path.resolve(request.runsRoot);
  return {
    mode: 'new',
    config,
    runsRoot,
    runDir: await nextRunDir(runsRoot, config.name),
    resumeTarget: null,
    resumeFromStep: null,
  };
}

async function planResume(request: Extract<RunRequest, { mode: 'resume' }>): Promise<RunPlan> {
  const target = request.runDir;
  const explicit = await isCheckpointFolder(target);
  const runDir = explicit ? runDirOf(target) : target;
  const changes = Object.fromEntries(Object.entries(request.changes ?? {}).filter(([, v]) => v !== undefined));
  const keys = [...Object.keys(changes), ...(request.sets ?? []).map((entry) => parseSet(entry).key)];
  const fixed = [...new Set(keys.filter((k) => !isResumableKey(k)))];
  if (fixed.length > 0) {
    throw new UserError(
      `--resume cannot change ${fixed.join(', ')}; only ${RESUMABLE_KEYS.join(', ')} may change on resume.`,
    );
  }
  const base = await readRunConfig(runDir);
  const config = await resolveConfig({ base, sets: request.sets, overrides: changes });
  await assertRunUnlocked(runDir);
  const all = await listCheckpoints(runDir);
  // The checkpoint it continues from (the newest may turn out damaged at load time: then an older one is used).
  const from = explicit
    ? (all.find((c) => path.resolve(c.dir) === path.resolve(target)) ?? null)
    : (all.at(-1) ?? null);
  if (from && from.step >= config.steps) {
    const how = request.stepsOption ? `pass ${request.stepsOption} above ${from.step}` : `set steps above ${from.step}`;
    throw new UserError(`Run ${target} is already at step ${from.step}; ${how} to train further.`);
  }
  return {
    mode: 'resume',
    config,
    runDir,
    resumeTarget: target,
    runsRoot: path.dirname(path.resolve(runDir)),
    resumeFromStep: from?.step ?? null,
  };
}

/**
 * Check that the runs folder can be made, without making it, so a bad
 * folder fails at once with a clear line and leaves nothing.
 */
async function checkRunsRoot(out: string): Promise<void> {
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
