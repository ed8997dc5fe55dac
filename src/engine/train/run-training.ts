/**
 * The training loop around a GanSession: the run folder, stats.jsonl, sample
 * grids, checkpoints, stopping and resuming. It reports through events so the
 * CLI, a worker process and tests can all drive it the same way.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { configWarnings, withDataClasses } from '../config/techniques';
import { UserError } from '../errors';
import { gridPng } from '../image/png';
import { writeFileAtomic } from '../io/atomic';
import { loadCheckpoint, saveCheckpoint } from '../run/checkpoint';
import { acquireRunLock, writeNewLock, type RunLock } from '../run/lock';
import { CONFIG_FILE, IMPORT_REPORT_FILE, STATS_FILE, createRunDir, listCheckpoints, pruneCheckpoints, sampleFile } from '../run/run-dir';
import { StatsWriter, truncateStats, type StepStats } from '../run/stats-log';
import { writeRunStatus, type WrittenRunStatus } from '../run/status';
import type { PauseGate } from './pause-gate';
import { GanSession, type TrainingData } from './session';

export type TrainEvent =
  /** `resumedFrom`: the checkpoint folder it continues from, `resumedFromStep` its step (null for a fresh start). */
  | { type: 'start'; runDir: string; step: number; steps: number; resumedFrom: string | null; resumedFromStep: number | null }
  | { type: 'step'; stats: StepStats }
  | { type: 'sample'; step: number; file: string }
  | { type: 'checkpoint'; step: number; dir: string }
  | { type: 'warning'; message: string }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'done'; step: number; status: 'finished' | 'stopped'; runDir: string };

export interface TrainingInput {
  config: TrainConfig;
  data: TrainingData;
  /** Cache key of the imported dataset, recorded in checkpoints. */
  datasetKey: string | null;
  /** The import report, saved in the run folder. */
  importReport?: unknown;
  /** Name of the backend in use, recorded in checkpoints. */
  backend: string;
  /** Aborting stops after the current step, with a checkpoint. */
  signal?: AbortSignal;
  /** Pausing holds the loop between steps until resumed (or aborted). */
  pause?: PauseGate;
  onEvent?: (event: TrainEvent) => void;
}

/**
 * Start a new run: `<outDir>/NNNNN-<name>/`, born with its config.json and
 * its lock (see createRunDir), then train.
 */
export async function trainNewRun(outDir: string, given: TrainingInput): Promise<string> {
  // A conditional run learns its class count from the data; config.json records it.
  const input = { ...given, config: withDataClasses(given.config, given.data) };
  for (const message of configWarnings(input.config)) input.onEvent?.({ type: 'warning', message });
  let lock: RunLock | null = null;
  const runDir = await createRunDir(outDir, input.config.name, async (dir) => {
    await writeFileAtomic(path.join(dir, CONFIG_FILE), JSON.stringify(input.config, null, 2));
    lock = await writeNewLock(dir);
  });
  try {
    const session = GanSession.create(input.config, input.data.count, input.data);
    await trainLoop(runDir, session, null, input);
  } finally {
    await lock!.release(runDir);
  }
  return runDir;
}

/**
 * Continue a run from its newest checkpoint. `input.config` is the run's
 * config.json with the run-control options the user changed; the checkpoint
 * refuses any other change. A run killed before its first checkpoint starts over.
 */
export async function resumeRun(runDir: string, given: TrainingInput): Promise<string> {
  // One trainer per run: refused here, with a line naming the holder, before anything is read or written.
  const lock = await acquireRunLock(runDir);
  try {
    await resumeLocked(runDir, given);
  } finally {
    await lock.release(runDir);
  }
  return runDir;
}

async function resumeLocked(runDir: string, given: TrainingInput): Promise<void> {
  const input = { ...given, config: withDataClasses(given.config, given.data) };
  const checkpoints = await listCheckpoints(runDir);
  const newest = checkpoints[checkpoints.length - 1];
  let session: GanSession;
  if (newest) {
    const parts = await loadCheckpoint(newest.dir, input.config);
    if (parts.state.datasetKey && input.datasetKey && parts.state.datasetKey !== input.datasetKey) {
      input.onEvent?.({ type: 'warning', message: 'The dataset changed since this run started; training continues on the current images.' });
    }
    session = new GanSession(input.config, input.data.count, parts, input.data);
  } else {
    input.onEvent?.({ type: 'warning', message: 'This run has no checkpoint yet; it starts again from step 0.' });
    session = GanSession.create(input.config, input.data.count, input.data);
  }
  await writeFileAtomic(path.join(runDir, CONFIG_FILE), JSON.stringify(input.config, null, 2));
  await truncateStats(path.join(runDir, STATS_FILE), session.step);
  await trainLoop(runDir, session, newest ?? null, input);
}

/** Yield to the event loop so signals, IPC and timers get their turn between steps. */
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function trainLoop(runDir: string, session: GanSession, resumedFrom: { step: number; dir: string } | null, input: TrainingInput): Promise<void> {
  const { config, data, signal } = input;
  const emit = (event: TrainEvent): void => input.onEvent?.(event);
  const stats = new StatsWriter(path.join(runDir, STATS_FILE));
  const info = { datasetKey: input.datasetKey, backend: input.backend };
  let lastSample = -1;
  let lastCheckpoint = -1;
  let lastFlush = Date.now();

  const writeStatus = (status: WrittenRunStatus, extra: { error?: string } = {}) =>
    writeRunStatus(runDir, { status, step: session.step, steps: config.steps, backend: input.backend, ...extra });
  const sample = async () => {
    const file = sampleFile(runDir, session.step);
    await writeFileAtomic(file, await gridPng(await session.sampleFixed(), { columns: config.gridSize }));
    lastSample = session.step;
    emit({ type: 'sample', step: session.step, file });
  };
  const checkpoint = async () => {
    await stats.flush();
    const dir = await saveCheckpoint(runDir, session, info);
    await pruneCheckpoints(runDir, config.keepCheckpoints);
    lastCheckpoint = session.step;
    emit({ type: 'checkpoint', step: session.step, dir });
  };

  try {
    if (input.importReport !== undefined) {
      await writeFile(path.join(runDir, IMPORT_REPORT_FILE), JSON.stringify(input.importReport, null, 2));
    }
    await writeStatus('running');
    emit({ type: 'start', runDir, step: session.step, steps: config.steps, resumedFrom: resumedFrom?.dir ?? null, resumedFromStep: resumedFrom?.step ?? null });
    if (session.step === 0) await sample(); // step 0: what the untrained G makes

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
      const s = await session.trainStep(data);
      stats.add(s);
      emit({ type: 'step', stats: s });
      if (!Number.isFinite(s.lossD) || !Number.isFinite(s.lossG)) {
        await stats.flush();
        throw new UserError(
          `Training diverged at step ${s.step}: a loss is NaN or infinite. The last good checkpoint is kept; try a lower learning rate (--set g.lr=… --set d.lr=…).`,
        );
      }
      if (config.sampleEvery > 0 && session.step % config.sampleEvery === 0) await sample();
      if (config.checkpointEvery > 0 && session.step % config.checkpointEvery === 0) await checkpoint();
      if (Date.now() - lastFlush > 2000) {
        await stats.flush();
        lastFlush = Date.now();
      }
      await nextTick();
    }

    if (lastSample !== session.step) await sample();
    if (lastCheckpoint !== session.step) await checkpoint();
    const status = session.step >= config.steps ? 'finished' : 'stopped';
    await writeStatus(status);
    emit({ type: 'done', step: session.step, status, runDir });
  } catch (err) {
    await stats.flush().catch(() => undefined);
    await writeStatus('failed', { error: (err as Error).message }).catch(() => undefined);
    throw err;
  } finally {
    session.dispose();
  }
}
