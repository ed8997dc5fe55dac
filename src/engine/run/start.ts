/**
 * The one way to start or resume a run, used by every front end (the CLI's
 * `train`, the studio's training worker, tests), after lightweight-gan's
 * single Trainer: plan (resolve and check), select the compute backend,
 * import the data, train. Everything it does is reported as a RunEvent; the
 * front ends only render those events.
 */
import type { TrainConfig } from '../../shared/config';
import { activateBackend, withResolvedThreads } from '../backend';
import type { Dataset, ImportPhase } from '../dataset';
import { UserError } from '../errors';
import type { PauseGate } from '../train/pause-gate';
import { resumeRun, trainNewRun, type TrainEvent, type TrainingInput } from '../train/run-training';
import { importForConfig } from '../train/training-data';
import { planRun, type RunPlan, type RunRequest } from './plan';

/** Import progress is sent at most this often (plus the last one of each phase). */
const IMPORT_PROGRESS_MS = 100;

export type RunEvent =
  /** The resolved plan: config, run folder, the step a resume continues from. */
  | { type: 'plan'; plan: RunPlan }
  | { type: 'backend'; name: string; why: string }
  | { type: 'import-progress'; phase: ImportPhase; done: number; total: number }
  | { type: 'imported'; dataset: Dataset; config: TrainConfig }
  /** Training events: start (with resumedFromStep), step, sample, checkpoint, warning, paused, resumed, done (finished or stopped). */
  | TrainEvent
  /** Stopped (the signal) before training began: nothing was trained or written. */
  | { type: 'cancelled'; during: 'import' | 'setup' }
  /** The run failed; `startRun` rejects with the same error right after. */
  | { type: 'failed'; message: string; error: unknown };

export interface RunHooks {
  /** Aborting stops after the current step, with a checkpoint (or, before training, stops at once). */
  signal?: AbortSignal;
  pause?: PauseGate;
  onEvent?: (event: RunEvent) => void;
}

export type RunResult = { status: 'finished' | 'stopped'; runDir: string; step: number } | { status: 'cancelled' };

/** Every event comes before the returned promise settles: none is sent after it (a late one is dropped). */
export async function startRun(request: RunRequest, hooks: RunHooks = {}): Promise<RunResult> {
  let settled = false;
  const emit = (event: RunEvent): void => {
    if (!settled) hooks.onEvent?.(event);
  };
  const { signal } = hooks;
  try {
    const plan = await planRun(request);
    emit({ type: 'plan', plan });
    // threads 0 (all physical cores) becomes a number here, so config.json records what ran.
    const config = forReplicas(withResolvedThreads(plan.config));
    const backend = await activateBackend(config.replicas > 1 ? 'wasm' : config.backend, { threads: config.threads });
    emit({ type: 'backend', name: backend.name, why: backend.why });

    let dataset: Dataset;
    try {
      dataset = await importForConfig(config, { signal, onProgress: throttledProgress(emit) });
    } catch (err) {
      if (!signal?.aborted) throw err;
      emit({ type: 'cancelled', during: 'import' });
      return { status: 'cancelled' };
    }
    emit({ type: 'imported', dataset, config });
    if (signal?.aborted) {
      emit({ type: 'cancelled', during: 'setup' });
      return { status: 'cancelled' };
    }

    let result: RunResult = { status: 'cancelled' };
    const input: TrainingInput = {
      config,
      data: dataset,
      datasetKey: dataset.cacheKey,
      importReport: dataset.report,
      backend: backend.name,
      signal,
      pause: hooks.pause,
      onEvent: (e) => {
        if (e.type === 'done') result = { status: e.status, runDir: e.runDir, step: e.step };
        emit(e);
      },
    };
    if (plan.mode === 'new')
      await trainNewRun(plan.runsRoot, {
        ...input,
        initFrom: request.mode === 'new' ? request.initFrom : undefined,
        initOptions: request.mode === 'new' ? request.initOptions : undefined,
      });
    else await resumeRun(plan.resumeTarget ?? plan.runDir, input);
    return result;
  } catch (error) {
    emit({ type: 'failed', message: error instanceof Error ? error.message : String(error), error });
    throw error;
  } finally {
    settled = true;
  }
}

/**
 * Replicas (config.replicas > 1) are single-threaded wasm engines, one per worker
 * thread (src/engine/train/replicas.ts): the run's threads is 1 then (what ran); a
 * backend other than wasm (or auto, which becomes wasm) and a batch that does not
 * split evenly are refused before anything is created.
 */
function forReplicas(config: TrainConfig): TrainConfig {
  if (config.replicas <= 1) return config;
  if (config.backend !== 'wasm' && config.backend !== 'auto')
    throw new UserError(
      `replicas ${config.replicas} runs on the wasm backend, not ${config.backend}: use --backend wasm, or --replicas 1.`,
    );
  if (config.batchSize % config.replicas !== 0)
    throw new UserError(
      `--replicas ${config.replicas} needs a batch size that splits evenly over ${config.replicas} (batchSize is ${config.batchSize}).`,
    );
  return config.threads === 1 ? config : { ...config, threads: 1 };
}

function throttledProgress(emit: (e: RunEvent) => void) {
  let last = 0;
  return (p: { phase: ImportPhase; done: number; total: number }): void => {
    const now = Date.now();
    if (now - last < IMPORT_PROGRESS_MS && p.done !== p.total) return;
    last = now;
    emit({ type: 'import-progress', phase: p.phase, done: p.done, total: p.total });
  };
}
