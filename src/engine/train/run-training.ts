// One file on purpose: new runs, resumes and trainLoop share private steps that nothing else may call.
/**
 * The training loop around a GanSession: the run folder, stats.jsonl, sample
 * grids, checkpoints, stopping and resuming. It reports through events so the
 * CLI, a worker process and tests can all drive it the same way.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { effectivePenalty, type TrainConfig } from '../../shared/config';
import { configWarnings, withDataClasses } from '../config/techniques';
import { checkBatchFits } from '../backend/gpu-memory';
import { webgpuDevice } from '../backend/webgpu';
import { GpuFaultError, gpuFaultFor, gpuFaultMessage, throwIfGpuFault } from '../backend/gpu-faults';
import { UserError } from '../errors';
import { gridPng } from '../image/png';
import { writeFileAtomic } from '../io/atomic';
import { DiskFullError, freeBytes, isDiskFull, megabytes } from '../io/disk';
import {
  NonFiniteCheckpointError,
  estimateCheckpointBytes,
  estimateCheckpointBytesFor,
  loadCheckpoint,
  saveCheckpoint,
} from '../run/checkpoint';
import type { CheckpointState } from '../run/checkpoint-state';
import { acquireRunLock, writeNewLock, type RunLock } from '../run/lock';
import {
  DAMAGED_DIR,
  SUPERSEDED_DIR,
  describeSkipped,
  isCheckpointFolder,
  pickCheckpoint,
  setAside,
} from '../run/checkpoint-pick';
import { dataContentKey } from '../run/data-key';
import {
  CHECKPOINTS_DIR,
  CONFIG_FILE,
  IMPORT_REPORT_FILE,
  STATS_FILE,
  createRunDir,
  dropSamplesAfter,
  listCheckpoints,
  pruneCheckpoints,
  runDirOf,
  sampleFile,
} from '../run/run-dir';
import { newRunInfo, readRunInfo, writeRunInfo } from '../run/run-format';
import { StatsWriter, truncateStats, type StepStats } from '../run/stats-log';
import { GAN_STUDIO_VERSION } from '../version';
import { writeRunStatus, type WrittenRunStatus } from '../run/status';
import { truncateMetrics, type LiveMetrics, type MetricsLine } from '../metrics/live';
import { setUpRunMetrics, type RunMetricsSetup } from '../metrics/run-metrics';
import type { PauseGate } from './pause-gate';
import { DivergenceWatch, divergedError, formatScale, rollBack, type RollbackEvent } from './recovery';
import { ORIGIN_FILE, disposeSource, initSessionFrom, loadInitSource, type InitOptions } from './init-from';
import { ReplicaPool } from './replicas';
import { GanSession, type TrainingData } from './session';

export type TrainEvent =
  /** `resumedFrom`: the checkpoint folder it continues from, `resumedFromStep` its step (null for a fresh start). */
  | {
      type: 'start';
      runDir: string;
      step: number;
      steps: number;
      resumedFrom: string | null;
      resumedFromStep: number | null;
    }
  | { type: 'step'; stats: StepStats }
  | { type: 'sample'; step: number; file: string }
  | { type: 'checkpoint'; step: number; dir: string }
  | { type: 'warning'; message: string }
  | { type: 'metrics'; metrics: MetricsLine }
  /** Something worth knowing that is not a problem (a data set too small to hold images out). */
  | { type: 'info'; message: string }
  /** Divergence was caught and training rolled back (also written to stats.jsonl). */
  | { type: 'rollback'; event: RollbackEvent }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; step: number; status: 'finished' | 'stopped'; runDir: string };

export interface TrainingInput {
  config: TrainConfig;
  data: TrainingData;
  /** Cache key of the imported dataset, recorded in checkpoints. */
  datasetKey: string | null;
  /** Content key of the images (computed from `data` when not given), recorded in checkpoints. */
  dataKey?: string;
  /** The import report, saved in the run folder. */
  importReport?: unknown;
  /** Name of the backend in use, recorded in checkpoints. */
  backend: string;
  /** Aborting stops after the current step, with a checkpoint. */
  signal?: AbortSignal;
  /** Pausing holds the loop between steps until resumed (or aborted). */
  pause?: PauseGate;
  onEvent?: (event: TrainEvent) => void;
  /** A new run only: start from this run folder's (newest) or checkpoint folder's weights. */
  initFrom?: string;
  /** With initFrom: what to carry besides the weights (optimizer state, ADA probability). */
  initOptions?: InitOptions;
  /** Set by trainNewRun/resumeRun: the live metrics of the run, or null when off. */
  metrics?: LiveMetrics | null;
}

/**
 * Start a new run: `<outDir>/NNNNN-<name>/`, born with its run.json,
 * config.json and lock (see createRunDir), then train.
 */
export async function trainNewRun(outDir: string, given: TrainingInput): Promise<string> {
  // A conditional run learns its class count from the data; config.json records it.
  const input = { ...given, config: withDataClasses(given.config, given.data) };
  for (const message of configWarnings(input.config)) input.onEvent?.({ type: 'warning', message });
  const probe = GanSession.initialModels(input.config);
  const need = estimateCheckpointBytesFor(probe);
  for (const m of [probe.g, probe.d, probe.gEma]) m?.dispose();
  let lock: RunLock | null = null;
  const runDir = await createRunFolder(outDir, input.config.name, need, async (dir) => {
    await writeRunInfo(dir, newRunInfo());
    await writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(input.config, null, 2));
    lock = await writeNewLock(dir);
  });
  let done: DoneEvent;
  try {
    const metrics = await setUpRunMetrics(runDir, input.config, input.data, true);
    if (metrics.note) input.onEvent?.({ type: 'info', message: metrics.note });
    const session = GanSession.create(input.config, metrics.train.count, metrics.train);
    if (input.initFrom) await initFrom(runDir, session, input.initFrom, input.initOptions ?? {});
    done = await trainLoop(runDir, session, null, {
      ...input,
      data: metrics.train,
      metrics: metrics.live,
      dataKey: dataContentKey(input.data, input.config.model),
    });
  } catch (err) {
    // A disk that fills before the first checkpoint leaves nothing worth keeping: no empty run folder behind.
    if (err instanceof DiskFullError && (await listCheckpoints(runDir)).length === 0) {
      await lock!.release(runDir);
      await rm(runDir, { recursive: true, force: true });
    }
    throw err;
  } finally {
    await lock!.release(runDir);
  }
  // Reported once the lock is gone, so whoever hears "done" may resume the run at once.
  input.onEvent?.(done);
  return runDir;
}

/** The run folder, born with what `fill` writes (config.json, the lock); a full disk (checked first, for one checkpoint's room) is a DiskFullError and leaves no folder. */
async function createRunFolder(
  outDir: string,
  name: string,
  need: number,
  fill: (dir: string) => Promise<void>,
): Promise<string> {
  const advice = 'Make room (or pass --out on another disk) and start again.';
  await mkdir(outDir, { recursive: true }).catch((err: unknown) => {
    throw isDiskFull(err) ? new DiskFullError(outDir, need, null, advice) : err;
  });
  const free = await freeBytes(outDir);
  if (free !== null && free < need) throw new DiskFullError(outDir, need, free, advice);
  try {
    // createRunDir builds the folder under a temporary name and removes it when filling fails.
    return await createRunDir(outDir, name, fill);
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    throw new DiskFullError(outDir, need, await freeBytes(outDir), advice);
  }
}

/** Fine-tuning: the fresh session takes another run's weights, and the run records where they came from. A refusal leaves no run folder. */
async function initFrom(runDir: string, session: GanSession, from: string, options: InitOptions): Promise<void> {
  try {
    const source = await loadInitSource(from, options);
    try {
      initSessionFrom(session, source, options);
      const keptAda = options.ada && source.augmentP !== undefined;
      await writeFileAtomic(
        path.join(runDir, ORIGIN_FILE),
        JSON.stringify(
          {
            initFrom: source.dir,
            step: source.step,
            optimizer: options.optimizer ? 'carried' : 'fresh',
            adaProbability: keptAda ? 'kept' : 'restarted',
            ...(keptAda ? { augmentP: source.augmentP } : {}),
          },
          null,
          2,
        ),
      );
    } finally {
      disposeSource(source);
    }
  } catch (err) {
    session.dispose();
    await rm(runDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Continue a run from its newest intact checkpoint (damaged newer ones are
 * skipped with a warning and moved to checkpoints/damaged/), or from the one
 * checkpoint folder `target` names (newer ones then move to
 * checkpoints/superseded/). `input.config` is the run's config.json with the
 * run-control options the user changed; the checkpoint refuses any other
 * change. A run killed before its first checkpoint starts over.
 */
export async function resumeRun(target: string, given: TrainingInput): Promise<string> {
  const explicit = await isCheckpointFolder(target);
  const runDir = explicit ? runDirOf(target) : target;
  // Every run folder is created with its config.json: without one this is not a run, and nothing may be written in it.
  if (!(await stat(path.join(runDir, CONFIG_FILE)).catch(() => null))?.isFile())
    throw new UserError(`${runDir || '.'} is not a run folder (it has no ${CONFIG_FILE}).`);
  // One trainer per run: refused here, with a line naming the holder, before anything is read or written.
  const lock = await acquireRunLock(runDir);
  let done: DoneEvent;
  try {
    done = await resumeLocked(target, runDir, explicit, given);
  } finally {
    await lock.release(runDir);
  }
  given.onEvent?.(done);
  return runDir;
}

async function resumeLocked(
  target: string,
  runDir: string,
  explicit: boolean,
  given: TrainingInput,
): Promise<DoneEvent> {
  const input = { ...given, config: withDataClasses(given.config, given.data) };
  const warn = (message: string) => input.onEvent?.({ type: 'warning', message });
  const checkpoints = await listCheckpoints(runDir);
  const dataKey = dataContentKey(input.data, input.config.model);
  let session: GanSession;
  let metrics: RunMetricsSetup;
  let resumedFrom: { dir: string; step: number } | null = null;
  if (checkpoints.length > 0 || explicit) {
    const picked = await pickCheckpoint(target, (dir) => loadCheckpoint(dir, input.config));
    const parts = picked.value;
    resumedFrom = { dir: picked.dir, step: parts.state.step };
    try {
      await checkSameData(runDir, parts.state, input, dataKey, warn);
      for (const skipped of picked.skipped)
        warn(`${describeSkipped(skipped)}; it is kept in ${CHECKPOINTS_DIR}/${DAMAGED_DIR}/`);
      await setAside(
        runDir,
        picked.skipped.map((s) => s.dir),
        DAMAGED_DIR,
      );
      const newer = checkpoints.filter(
        (c) => c.step > parts.state.step && !picked.skipped.some((s) => s.dir === c.dir),
      );
      if (newer.length > 0) {
        await setAside(
          runDir,
          newer.map((c) => c.dir),
          SUPERSEDED_DIR,
        );
        warn(
          `resuming from step ${parts.state.step}: the newer checkpoints (${newer.map((c) => c.step).join(', ')}) were moved to ${CHECKPOINTS_DIR}/${SUPERSEDED_DIR}/`,
        );
      }
    } catch (err) {
      for (const m of [parts.g, parts.d, parts.gEma]) m?.dispose();
      for (const t of Object.values(parts.optimizer ?? {}).flatMap((o) => Object.values(o.tensors))) t.dispose();
      throw err;
    }
    metrics = await setUpRunMetrics(runDir, input.config, input.data, false, parts.state.step);
    session = new GanSession(input.config, metrics.train.count, parts, metrics.train);
  } else {
    warn('This run has no checkpoint yet; it starts again from step 0.');
    metrics = await setUpRunMetrics(runDir, input.config, input.data, false);
    session = GanSession.create(input.config, metrics.train.count, metrics.train);
  }
  if (metrics.note) input.onEvent?.({ type: 'info', message: metrics.note });
  // The trainer is the one writer of a run's files: a folder of an older format becomes the current one here, and only here.
  const { info } = await readRunInfo(runDir);
  await writeRunInfo(runDir, { ...info, resumedBy: GAN_STUDIO_VERSION });
  await writeFileAtomic(path.join(runDir, CONFIG_FILE), JSON.stringify(input.config, null, 2));
  await truncateStats(path.join(runDir, STATS_FILE), session.step);
  await dropSamplesAfter(runDir, session.step);
  return trainLoop(runDir, session, resumedFrom, { ...input, data: metrics.train, metrics: metrics.live, dataKey });
}

/**
 * The images must be the ones the checkpoint trained on. Resumed from a moved
 * data folder (data.dir differs from the run's config.json), they must match
 * by content, or the resume is refused. In the same folder a change is only
 * a warning: the user edited their own data set on purpose.
 */
async function checkSameData(
  runDir: string,
  state: CheckpointState,
  input: TrainingInput,
  dataKey: string,
  warn: (m: string) => void,
): Promise<void> {
  const before = await readFile(path.join(runDir, CONFIG_FILE), 'utf8')
    .then((t) => (JSON.parse(t) as { data?: { dir?: string | null } }).data?.dir ?? null)
    .catch(() => input.config.data.dir);
  const moved = before !== input.config.data.dir;
  if (moved) {
    if (!state.dataKey) {
      throw new UserError(
        `Cannot resume ${runDir} from ${input.config.data.dir ?? 'the demo data'}: its checkpoint predates data keys, so the images cannot be checked. Resume it from its own data folder ${before ?? '(the demo data)'}.`,
      );
    }
    if (state.dataKey !== dataKey) {
      throw new UserError(
        `The images in ${input.config.data.dir ?? 'the demo data'} are not the ones run ${runDir} trained on (their content key differs; it trained on ${before ?? 'the demo data'}). Pass the folder holding the same images, or start a new run.`,
      );
    }
    return;
  }
  const changed = state.dataKey
    ? state.dataKey !== dataKey
    : Boolean(state.datasetKey && input.datasetKey && state.datasetKey !== input.datasetKey);
  if (changed) warn('The dataset changed since this run started; training continues on the current images.');
}

/** On the GPU, refuse before training a batch that cannot fit (the line names the largest that does). */
function checkGpuFits(session: GanSession, config: TrainConfig): void {
  const device = webgpuDevice();
  if (device == null) return;
  const limits = {
    maxBufferSize: Number(device.limits.maxBufferSize),
    maxStorageBufferBindingSize: Number(device.limits.maxStorageBufferBindingSize),
  };
  checkBatchFits(session, config.batchSize, effectivePenalty(config) !== 'none', limits);
}

/** Yield to the event loop so signals, IPC and timers get their turn between steps. */
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

type DoneEvent = Extract<TrainEvent, { type: 'done' }>;

/** Train to the end or a stop; returns the `done` event for the caller to send once the run's lock is released. */
async function trainLoop(
  runDir: string,
  initial: GanSession,
  resumedFrom: { dir: string; step: number } | null,
  input: TrainingInput,
): Promise<DoneEvent> {
  const { config, data, signal } = input;
  const emit = (event: TrainEvent): void => input.onEvent?.(event);
  let session = initial;
  const statsFile = path.join(runDir, STATS_FILE);
  const stats = new StatsWriter(statsFile);
  let watch = new DivergenceWatch(config.recovery, session.explodingSteps);
  const info = { datasetKey: input.datasetKey, dataKey: input.dataKey ?? null, backend: input.backend };
  let lastSample = -1;
  let lastCheckpoint = -1;
  let lastFlush = Date.now();
  // --replicas N: worker copies of the session, started from its state (again after a rollback).
  const replicas: { pool: ReplicaPool | null } = { pool: null };
  const replicate = async () => {
    if (config.replicas > 1) replicas.pool = await ReplicaPool.start(session, config.replicas, data);
  };

  const writeStatus = (status: WrittenRunStatus, extra: { error?: string } = {}) =>
    writeRunStatus(runDir, { status, step: session.step, steps: config.steps, backend: input.backend, ...extra });
  // After a GPU fault, nothing computed since may be saved (WebGPU yields zeros, not errors).
  const resumedStep = resumedFrom != null ? session.step : null;
  const faultContext = () => ({
    runDir,
    step: session.step,
    lastCheckpointStep: lastCheckpoint >= 0 ? lastCheckpoint : resumedStep,
  });
  const guard = () => throwIfGpuFault(input.backend, faultContext);
  const sample = async () => {
    const file = sampleFile(runDir, session.step);
    const grid = await session.sampleFixed();
    guard();
    await writeFileAtomic(file, await gridPng(grid, { columns: config.gridSize }));
    lastSample = session.step;
    emit({ type: 'sample', step: session.step, file });
  };
  const checkpointBytes = estimateCheckpointBytes(session);
  let warnedLowSpace = false;
  const diskFull = async (free: number | null) => {
    const good = (await listCheckpoints(runDir)).at(-1);
    return new DiskFullError(
      runDir,
      checkpointBytes,
      free,
      `${good ? `The last good checkpoint (step ${good.step}) is intact. ` : ''}Make room, then continue with: gan-studio train --resume ${runDir}`,
    );
  };
  /** Before each checkpoint: refuse when it cannot fit, warn while there is room for fewer than 3 more. */
  const checkRoom = async () => {
    const free = await freeBytes(path.join(runDir, CHECKPOINTS_DIR));
    if (free === null) return;
    if (free < checkpointBytes) throw await diskFull(free);
    if (free < 3 * checkpointBytes && !warnedLowSpace) {
      warnedLowSpace = true;
      emit({
        type: 'warning',
        message: `Low disk space in ${runDir}: ${megabytes(free)} free, a checkpoint needs about ${megabytes(checkpointBytes)}. Make room before the disk fills.`,
      });
    }
  };
  const live = input.metrics ?? null;
  const evaluate = async () => {
    if (!live) return;
    const line = await live.evaluate(session.step, session.sampleGenerator);
    emit({ type: 'metrics', metrics: line });
  };
  const checkpoint = async () => {
    await checkRoom();
    guard();
    await stats.flush();
    // A checkpoint past the last rollback target: a later divergence may roll back to it again.
    if (session.rolledBackTo !== null && session.step > session.rolledBackTo) session.rolledBackTo = null;
    const dir = await saveCheckpoint(runDir, session, info);
    await pruneCheckpoints(runDir, config.keepCheckpoints);
    lastCheckpoint = session.step;
    emit({ type: 'checkpoint', step: session.step, dir });
  };
  /** Divergence: roll back and continue, or stop as failed when recovery is off or used up. */
  const recover = async (reason: string) => {
    if (!config.recovery.enabled || session.rollbacks >= config.recovery.maxRollbacks)
      throw divergedError(reason, session, config);
    await stats.flush();
    const { session: next, event } = await rollBack(runDir, session, data, reason);
    await replicas.pool?.stop();
    session.dispose();
    session = next;
    await replicate();
    watch = new DivergenceWatch(config.recovery, session.explodingSteps);
    // The steps after the checkpoint are trained again: their lines go, the rollback's line stays.
    await truncateStats(statsFile, session.step);
    await truncateMetrics(runDir, session.step);
    await dropSamplesAfter(runDir, session.step);
    stats.add(event);
    await stats.flush();
    lastCheckpoint = event.checkpoint ? session.step : -1;
    emit({ type: 'rollback', event });
    emit({
      type: 'warning',
      message: `${reason}: rolled back to ${event.checkpoint ? `the checkpoint of step ${session.step}` : 'the start'}, learning rates now ×${formatScale(event.lrScale)}, fresh noise (rollback ${event.rollback} of at most ${config.recovery.maxRollbacks}).`,
    });
  };

  try {
    if (input.importReport !== undefined) {
      await writeFile(path.join(runDir, IMPORT_REPORT_FILE), JSON.stringify(input.importReport, null, 2));
    }
    if (input.backend === 'webgpu') checkGpuFits(session, config);
    await writeStatus('running');
    emit({
      type: 'start',
      runDir,
      step: session.step,
      steps: config.steps,
      resumedFrom: resumedFrom?.dir ?? null,
      resumedFromStep: resumedFrom?.step ?? null,
    });
    await replicate();
    if (session.step === 0) await sample(); // step 0: what the untrained G makes
    if (session.step === 0) await evaluate(); // and how far it is from the data

    while (session.step < config.steps && !signal?.aborted) {
      if (input.pause?.paused) {
        await stats.flush();
        await writeStatus('paused');
        emit({ type: 'paused', step: session.step });
        await input.pause.wait(signal);
        if (signal?.aborted) break;
        await writeStatus('running');
        emit({ type: 'resumed', step: session.step });
      }
      const stepStarted = performance.now();
      const s = await session.trainStep(data);
      live?.addTrainTime((performance.now() - stepStarted) / 1000);
      guard();
      const diverged = watch.check(s);
      session.explodingSteps = watch.streak;
      if (diverged) {
        await recover(diverged);
        continue;
      }
      stats.add(s);
      emit({ type: 'step', stats: s });
      if (config.sampleEvery > 0 && session.step % config.sampleEvery === 0) await sample();
      if (config.checkpointEvery > 0 && session.step % config.checkpointEvery === 0) {
        // A non-finite weight with finite losses is caught here: such a checkpoint is never written.
        const refused = await checkpoint().then(
          () => null,
          (err: unknown) => (err instanceof NonFiniteCheckpointError ? err : Promise.reject(err)),
        );
        if (refused) {
          await recover(`${refused.what} is NaN or Inf at step ${refused.step}`);
          continue;
        }
      }
      if (live?.due(session.step)) await evaluate();
      if (Date.now() - lastFlush > 2000) {
        await stats.flush();
        // status.json's step follows the run, for readers of that file alone (scripts, a run list).
        await writeStatus('running');
        lastFlush = Date.now();
      }
      await nextTick();
    }

    if (lastSample !== session.step) await sample();
    if (lastCheckpoint !== session.step) await checkpoint();
    // The end of a finished run is scored; a stopped one (Ctrl-C, Stop) exits at once.
    if (live && !signal?.aborted && !live.evaluated(session.step)) await evaluate();
    const status = session.step >= config.steps ? 'finished' : 'stopped';
    await writeStatus(status);
    return { type: 'done', step: session.step, status, runDir };
  } catch (caught) {
    // A failed GPU command often throws a vaguer error (or none) than the fault behind it.
    const fault = gpuFaultFor(input.backend);
    let err =
      fault != null && !(caught instanceof GpuFaultError)
        ? new GpuFaultError(fault, gpuFaultMessage(fault, faultContext()))
        : caught;
    if (isDiskFull(err)) err = await diskFull(await freeBytes(runDir));
    await replicas.pool?.abort((err as Error).message).catch(() => undefined);
    await stats.flush().catch(() => undefined);
    await writeStatus('failed', { error: (err as Error).message }).catch(() => undefined);
    throw err;
  } finally {
    await replicas.pool?.stop().catch(() => undefined);
    session.dispose();
  }
}
