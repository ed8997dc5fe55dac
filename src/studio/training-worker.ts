/**
 * The training process: one job (a new run or a resumed one) per process.
 * Started by the studio backend (child_process.fork in serve mode,
 * utilityProcess.fork in Electron); takes start / pause / resume / stop
 * messages and streams the run's events back. When the job is over it exits.
 *
 * Step stats are batched (about 4 messages a second) so a fast model does not
 * flood the parent's event loop; sample grids travel as PNG data URLs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainingEvent } from '../shared/contract';
import { useBackend } from '../engine/backend';
import { resumeRun, trainNewRun, type TrainEvent } from '../engine/train/run-training';
import { PauseGate } from '../engine/train/pause-gate';
import { importForConfig } from '../engine/train/training-data';
import type { StepStats } from '../engine/run/stats-log';
import { datasetOptionsOf, errorMessage, serializeError, summarizeDataset } from './datasets-common';
import { connectToParent } from './worker-port';
import type { TrainingCommand, TrainingReport } from './worker-protocol';

const STEP_FLUSH_MS = 250;

const port = connectToParent();
const send = (m: TrainingReport): void => port.send(m);
const emit = (event: Exclude<TrainingEvent, { type: 'died' }>): void => send({ type: 'event', event });

const gate = new PauseGate();
const controller = new AbortController();
let started = false;

port.onParentGone(() => {
  // Nobody is listening any more: stop with a checkpoint, then exit.
  controller.abort();
  gate.resume();
  setTimeout(() => process.exit(0), 60_000).unref();
});

port.onMessage((raw) => {
  const m = raw as TrainingCommand;
  switch (m.type) {
    case 'start':
      if (started) return;
      started = true;
      void run(m);
      break;
    case 'pause':
      gate.pause();
      break;
    case 'resume':
      gate.resume();
      break;
    case 'stop':
      controller.abort();
      gate.resume();
      break;
  }
});

send({ type: 'ready', pid: process.pid });

async function run(cmd: Extract<TrainingCommand, { type: 'start' }>): Promise<void> {
  const { jobId, config } = cmd;
  let runId: string | null = cmd.mode === 'resume' ? path.basename(cmd.runDir) : null;
  let pending: StepStats[] = [];
  let flushTimer: NodeJS.Timeout | null = null;

  const flushSteps = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending.length === 0 || !runId) return;
    emit({ type: 'steps', jobId, runId, stats: pending });
    pending = [];
  };

  const onEvent = (e: TrainEvent): void => {
    if (e.type !== 'step') flushSteps();
    switch (e.type) {
      case 'start':
        runId = path.basename(e.runDir);
        emit({
          type: 'started',
          jobId,
          runId,
          step: e.step,
          steps: e.steps,
          backend: backendName,
          resumedFrom: e.resumedFrom ? stepOf(e.resumedFrom) : null,
        });
        break;
      case 'step':
        pending.push(e.stats);
        if (!flushTimer) flushTimer = setTimeout(flushSteps, STEP_FLUSH_MS);
        break;
      case 'sample': {
        const id = runId!;
        readFile(e.file)
          .then((png) => emit({ type: 'sample', jobId, runId: id, step: e.step, dataUrl: `data:image/png;base64,${png.toString('base64')}` }))
          .catch(() => undefined);
        break;
      }
      case 'checkpoint':
        emit({ type: 'checkpoint', jobId, runId: runId!, step: e.step });
        break;
      case 'warning':
        emit({ type: 'warning', jobId, runId, message: e.message });
        break;
      case 'rollback':
        emit({ type: 'rollback', jobId, runId: runId!, event: e.event });
        break;
      case 'paused':
        emit({ type: 'paused', jobId, runId: runId!, step: e.step });
        break;
      case 'resumed':
        emit({ type: 'resumed', jobId, runId: runId!, step: e.step });
        break;
      case 'done':
        emit({ type: 'done', jobId, runId: runId!, step: e.step, status: e.status });
        break;
    }
  };

  let backendName = config.backend as string;
  try {
    const backend = await useBackend(config.backend);
    backendName = backend.name;
    send({ type: 'backend', name: backend.name, why: backend.why });

    let lastProgress = 0;
    const dataset = await importForConfig(config, {
      signal: controller.signal,
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastProgress < 100 && p.done !== p.total) return;
        lastProgress = now;
        emit({ type: 'import-progress', jobId, phase: p.phase, done: p.done, total: p.total });
      },
    });
    emit({ type: 'imported', jobId, dataset: summarizeDataset(config.data.dir, datasetOptionsOf(config), dataset) });
    if (controller.signal.aborted) {
      emit({ type: 'error', jobId, runId, message: 'Stopped before training started.' });
      return;
    }
    const input = {
      config,
      data: dataset,
      datasetKey: dataset.cacheKey,
      importReport: dataset.report,
      backend: backend.name,
      signal: controller.signal,
      pause: gate,
      onEvent,
    };
    if (cmd.mode === 'new') await trainNewRun(cmd.runsRoot, input);
    else await resumeRun(cmd.runDir, input);
    flushSteps();
  } catch (e) {
    flushSteps();
    const aborted = controller.signal.aborted && (e as Error)?.name === 'AbortError';
    emit({ type: 'error', jobId, runId, message: aborted ? 'Stopped before training started.' : serializeError(e).message });
    if (!aborted && !(e instanceof Error && ['UserError', 'DatasetError', 'BackendError'].includes(e.name))) {
      process.stderr.write(`[training-worker] ${e instanceof Error ? (e.stack ?? e.message) : errorMessage(e)}\n`);
    }
  } finally {
    send({ type: 'finished' });
    // Give the IPC channel a moment to deliver the last messages.
    setTimeout(() => process.exit(0), 200);
  }
}

function stepOf(checkpointDir: string): number | null {
  const m = /step-(\d+)$/.exec(checkpointDir);
  return m ? Number(m[1]) : null;
}
