/**
 * Finds runs and checkpoints for the handlers: a run id names a folder under
 * the runs root (checked by the PathGuard), a checkpoint reference names one
 * of its checkpoints (the newest by default), and the live info says which
 * runs a training process of ours holds. Refuses with one line for the user.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointRef, ResumableChanges, RunSummary } from '../shared/contract';
import { checkpointDir, planRun, type RunPlan } from '../engine/light';
import { StudioError } from './errors';
import { assertNotRunOwned } from './output-guard';
import type { PathGuard } from './paths';
import { checkpointSteps, summarizeRun, type LiveInfo } from './runs';
import type { CheckpointLocation } from './workers/tools-protocol';
import type { TrainingManager } from './training-manager';

export class RunLocator {
  constructor(
    private readonly paths: PathGuard,
    private readonly training: TrainingManager,
  ) {}

  get runsRoot(): string {
    return this.paths.runsRoot;
  }

  live(): LiveInfo {
    return { liveRunId: this.training.liveRunId, ownPids: this.training.pids };
  }

  /** The folder of an existing run. */
  async runDir(runId: string): Promise<string> {
    const dir = this.paths.runDir(runId);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new StudioError(`Run ${runId} not found.`);
    return dir;
  }

  async summary(runId: string): Promise<RunSummary | null> {
    return summarizeRun(this.runsRoot, runId, this.live());
  }

  /** Refuses when a process other than ours is training the run. */
  async assertNotTrainedElsewhere(runId: string): Promise<void> {
    const summary = await this.summary(runId);
    if (summary && (summary.status === 'running' || summary.status === 'paused')) {
      throw new StudioError(`Run ${runId} is being trained by another process.`);
    }
  }

  async checkpoint(ref: CheckpointRef): Promise<CheckpointLocation> {
    const runDir = await this.runDir(ref.runId);
    const steps = await checkpointSteps(runDir);
    if (steps.length === 0) throw new StudioError(`Run ${ref.runId} has no checkpoint yet.`);
    const step = ref.step ?? steps[steps.length - 1];
    if (!steps.includes(step))
      throw new StudioError(`Run ${ref.runId} has no checkpoint at step ${step} (it has ${steps.join(', ')}).`);
    return { runId: ref.runId, runDir, checkpointDir: checkpointDir(runDir, step) };
  }

  /**
   * An output folder: the one asked for (must be allowed), else
   * `<run>/<fallback>`; created when missing, never among the run's own files.
   */
  async outputDir(dir: string | undefined, runDir: string, fallback: string): Promise<string> {
    const target = dir ? await this.paths.outputPath(dir) : path.join(runDir, fallback);
    await assertNotRunOwned(target, 'folder');
    await mkdir(target, { recursive: true });
    return target;
  }

  /**
   * The engine's resume checks, as the CLI makes them: the run's config.json
   * with the `changes`, steps left to train, and no other trainer holding the
   * run's lock (refused with a line naming that process).
   */
  async planResume(runId: string, runDir: string, changes: ResumableChanges = {}): Promise<RunPlan> {
    if (this.training.liveRunId === runId) throw new StudioError(`Run ${runId} is training in this studio already.`);
    return planRun({ mode: 'resume', runDir, changes });
  }
}
