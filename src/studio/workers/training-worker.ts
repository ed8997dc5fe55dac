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
import type { TrainingEvent } from '../../shared/contract';
import { PauseGate, UserError, startRun, type RunEvent, type RunRequest, type StepStats } from '../../engine';
import { datasetOptionsOf, errorMessage, serializeError, summarizeDataset } from '../datasets-common';
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
  const { jobId } = cmd;
  let runId: string | null = cmd.mode === 'resume' ? path.basename(cmd.runDir) : null;
  let backendName = '';
  let pending: StepStats[] = [];
  let flushTimer: NodeJS.Timeout | null = null;

  const flushSteps = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (pending.length === 0 || !runId) return;
    emit({ type: 'steps', jobId, runId, stats: pending });
    pending = [];
  };

  const onEvent = (e: RunEvent): void => {
    if (e.type !== 'step') flushSteps();
    switch (e.type) {
      case 'plan':
        break;
      case 'backend':
        backendName = e.name;
        send({ type: 'backend', name: e.name, why: e.why });
        break;
      case 'import-progress':
        emit({ type: 'import-progress', jobId, phase: e.phase, done: e.done, total: e.total });
        break;
      case 'imported':
        emit({
          type: 'imported',
          jobId,
          dataset: summarizeDataset(e.config.data.dir, datasetOptionsOf(e.config), e.dataset),
        });
        break;
      case 'cancelled':
        emit({ type: 'error', jobId, runId, message: 'Stopped before training started.' });
        break;
      case 'start':
        runId = path.basename(e.runDir);
        emit({
          type: 'started',
          jobId,
          runId,
          step: e.step,
          steps: e.steps,
          backend: backendName,
          resumedFrom: e.resumedFromStep,
        });
        break;
      case 'step':
        pending.push(e.stats);
        if (!flushTimer) flushTimer = setTimeout(flushSteps, STEP_FLUSH_MS);
        break;
      case 'sample': {
        const id = runId!;
        readFile(e.file)
          .then((png) =>
            emit({
              type: 'sample',
              jobId,
              runId: id,
              step: e.step,
              dataUrl: `data:image/png;base64,${png.toString('base64')}`,
            }),
          )
          .catch(() => undefined);
        break;
      }
      case 'checkpoint':
        emit({ type: 'checkpoint', jobId, runId: runId!, step: e.step });
        break;
      case 'warning':
        emit({ type: 'warning', jobId, runId, message: e.message });
        break;
      case 'info':
        emit({ type: 'info', jobId, runId, message: e.message });
        break;
      case 'metrics':
        emit({ type: 'metrics', jobId, runId: runId!, metrics: e.metrics });
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
      case 'failed': {
        const aborted = controller.signal.aborted && (e.error as Error)?.name === 'AbortError';
        emit({
          type: 'error',
          jobId,
          runId,
          message: aborted ? 'Stopped before training started.' : serializeError(e.error).message,
        });
        if (!aborted && !(e.error instanceof UserError)) {
          process.stderr.write(
            `[training-worker] ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : errorMessage(e.error)}\n`,
          );
        }
        break;
      }
    }
  };

  const request: RunRequest =
    cmd.mode === 'new'
      ? {
          mode: 'new',
          runsRoot: cmd.runsRoot,
          config: cmd.config,
          initFrom: cmd.initFrom?.dir,
          initOptions: cmd.initFrom ? { optimizer: cmd.initFrom.optimizer, ada: cmd.initFrom.ada } : undefined,
        }
      : { mode: 'resume', runDir: cmd.runDir, changes: cmd.changes };
  try {
    await startRun(request, { signal: controller.signal, pause: gate, onEvent });
  } catch {
    // Reported by the 'failed' event.
  } finally {
    flushSteps();
    send({ type: 'finished' });
    // Give the IPC channel a moment to deliver the last messages.
    setTimeout(() => process.exit(0), 200);
  }
}
