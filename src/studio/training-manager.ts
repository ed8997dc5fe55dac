/**
 * The one training job the studio runs at a time, in its own process. Keeps
 * the TrainingState, forwards the worker's events, and turns an unexpected
 * exit of the process into a `died` event with the reason and whether the
 * run can be resumed.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { TrainConfig } from '../shared/config';
import type { ResumableChanges, TrainingEvent, TrainingState } from '../shared/contract';
import { IDLE_TRAINING_STATE } from '../shared/training-state';
import { StudioError } from './errors';
import { checkpointSteps } from './runs';
import { describeExit } from './workers/tools-client';
import type { WorkerLauncher, WorkerProcess } from './workers/worker-process';
import type { InitFromDir, TrainingCommand, TrainingReport } from './workers/worker-protocol';

const IDLE = IDLE_TRAINING_STATE;

export interface TrainingManagerEvents {
  event(e: TrainingEvent): void;
  state(s: TrainingState): void;
  runsChanged(runId: string | null, reason: 'created' | 'updated' | 'deleted'): void;
}

export class TrainingManager {
  private current: TrainingState = { ...IDLE };
  private proc: WorkerProcess | null = null;
  /** The job ended with done/error (so an exit is not a death). */
  private ended = false;
  private firstStep: number | null = null;
  private readonly ownPids = new Set<number>();
  private exitWaiters: Array<() => void> = [];

  constructor(
    private readonly launcher: WorkerLauncher,
    private readonly runsRoot: string,
    private readonly env: Record<string, string>,
    private readonly on: TrainingManagerEvents,
  ) {}

  get state(): TrainingState {
    return { ...this.current };
  }

  get active(): boolean {
    return this.proc !== null && !this.ended;
  }

  get liveRunId(): string | null {
    return this.active ? this.current.runId : null;
  }

  /** Pids of training processes this studio started and that are still running. */
  get pids(): Set<number> {
    return new Set(this.ownPids);
  }

  pid(): number | undefined {
    return this.proc?.pid;
  }

  /** `initFrom`: fine-tune from this checkpoint folder (the worker checks the architectures). */
  startNew(config: TrainConfig, initFrom?: InitFromDir): string {
    return this.launch({ mode: 'new', runsRoot: this.runsRoot, config, initFrom }, null, config.steps);
  }

  /** `steps`: the length the resume trains to (from its plan), shown until the worker reports. */
  resumeRun(runId: string, runDir: string, changes: ResumableChanges, steps: number): string {
    return this.launch({ mode: 'resume', runDir, changes }, runId, steps);
  }

  pause(): TrainingState {
    this.require();
    if (this.current.phase === 'stopping') return this.state;
    this.proc!.send({ type: 'pause' } satisfies TrainingCommand);
    return this.state;
  }

  resume(): TrainingState {
    this.require();
    if (this.current.phase === 'stopping') return this.state;
    this.proc!.send({ type: 'resume' } satisfies TrainingCommand);
    return this.state;
  }

  stop(): TrainingState {
    this.require();
    this.proc!.send({ type: 'stop' } satisfies TrainingCommand);
    this.setState({ phase: 'stopping' });
    return this.state;
  }

  /** Stops the job (with a checkpoint) and waits up to `timeoutMs` for the process to end, then kills it. */
  async shutdown(timeoutMs = 30_000): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    proc.send({ type: 'stop' } satisfies TrainingCommand);
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private require(): void {
    if (!this.active) throw new StudioError('No training is running.');
  }

  private setState(patch: Partial<TrainingState>): void {
    this.current = { ...this.current, ...patch };
    this.on.state(this.state);
  }

  private launch(
    start:
      | { mode: 'new'; runsRoot: string; config: TrainConfig; initFrom?: InitFromDir }
      | { mode: 'resume'; runDir: string; changes: ResumableChanges },
    runId: string | null,
    steps: number,
  ): string {
    if (this.active)
      throw new StudioError(
        `A training run is already in progress${this.current.runId ? ` (${this.current.runId})` : ''}: stop it first.`,
      );
    const jobId = randomUUID();
    const proc = this.launcher('training-worker', { env: this.env });
    this.proc = proc;
    this.ended = false;
    this.firstStep = null;
    if (proc.pid) this.ownPids.add(proc.pid);
    this.current = { ...IDLE, phase: 'importing', jobId, runId, steps, startedAt: Date.now() };
    this.on.state(this.state);

    let ended = false;
    proc.onMessage((raw) => {
      if (this.proc !== proc) return;
      const m = raw as TrainingReport;
      switch (m.type) {
        case 'ready':
          proc.send({ type: 'start', jobId, ...start } as TrainingCommand);
          break;
        case 'backend':
          this.setState({ backend: m.name });
          break;
        case 'event':
          this.handleEvent(m.event);
          break;
        case 'finished':
          this.markEnded();
          break;
      }
      if (m.type === 'event' && (m.event.type === 'done' || m.event.type === 'error')) ended = true;
      if (m.type === 'finished') ended = true;
    });
    proc.onExit((exit) => void this.handleExit(proc, jobId, exit, ended));
    return jobId;
  }

  private handleEvent(e: Exclude<TrainingEvent, { type: 'died' }>): void {
    switch (e.type) {
      case 'import-progress':
        this.setState({ phase: 'importing', importProgress: { phase: e.phase, done: e.done, total: e.total } });
        break;
      case 'imported':
        this.setState({ phase: 'starting', importProgress: null });
        break;
      case 'started':
        this.firstStep = e.step;
        this.setState({
          phase: this.current.phase === 'stopping' ? 'stopping' : 'running',
          runId: e.runId,
          step: e.step,
          steps: e.steps,
          backend: e.backend,
        });
        this.on.runsChanged(e.runId, e.resumedFrom === null && e.step === 0 ? 'created' : 'updated');
        break;
      case 'steps': {
        const last = e.stats[e.stats.length - 1];
        if (last) this.setState({ step: last.step, stepsThisJob: last.step - (this.firstStep ?? 0) });
        break;
      }
      case 'paused':
        if (this.current.phase !== 'stopping') this.setState({ phase: 'paused', step: e.step });
        this.on.runsChanged(e.runId, 'updated');
        break;
      case 'resumed':
        if (this.current.phase !== 'stopping') this.setState({ phase: 'running', step: e.step });
        this.on.runsChanged(e.runId, 'updated');
        break;
      case 'checkpoint':
        this.on.runsChanged(e.runId, 'updated');
        break;
      case 'rollback':
        this.setState({ step: e.event.step });
        break;
      case 'done':
      case 'error':
        break;
    }
    this.on.event(e);
    if (e.type === 'done' || e.type === 'error') {
      this.markEnded();
      this.on.runsChanged(e.runId, 'updated');
    }
  }

  /** The job is over (its process is exiting): the studio is idle and may start another. */
  private markEnded(): void {
    if (this.ended) return;
    this.ended = true;
    this.current = { ...IDLE };
    this.on.state(this.state);
  }

  private async handleExit(
    proc: WorkerProcess,
    jobId: string,
    exit: { code: number | null; signal: string | null; stderrTail: string },
    ended: boolean,
  ): Promise<void> {
    if (proc.pid) this.ownPids.delete(proc.pid);
    const mine = this.proc === proc;
    const runId = mine && !this.ended ? this.current.runId : null;
    if (mine) {
      this.proc = null;
      if (!this.ended) {
        this.ended = true;
        this.current = { ...IDLE };
      }
    }
    if (!ended) {
      let lastCheckpointStep: number | null = null;
      if (runId) {
        const steps = await checkpointSteps(path.join(this.runsRoot, runId)).catch(() => [] as number[]);
        lastCheckpointStep = steps.length ? steps[steps.length - 1] : null;
      }
      this.on.event({
        type: 'died',
        jobId,
        runId,
        reason: describeExit(exit, 'training process'),
        exitCode: exit.code,
        signal: exit.signal,
        lastCheckpointStep,
        canResume: runId !== null,
      });
      this.on.runsChanged(runId, 'updated');
    }
    if (mine) this.on.state(this.state);
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const w of waiters) w();
  }
}
