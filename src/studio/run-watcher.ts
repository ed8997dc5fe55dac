/**
 * Follows run folders for the pages that asked (`runs:follow`), wherever the
 * run is trained: by this studio, the CLI or another studio process. As
 * TensorBoard does, it reads what the trainer writes: new lines of
 * stats.jsonl and metrics.jsonl (incrementally, ./stats-tail.ts), new sample grids and
 * checkpoints, and the status (status.json checked against the live holder
 * of train.lock, so a killed trainer reads as `interrupted`).
 *
 * It polls with stat() rather than fs.watch: fs.watch misses events on
 * network and some container filesystems, and a stat of the few files of a
 * followed run each interval is cheap and predictable. Nothing is polled
 * while no page follows a run: each follower holds a lease it renews, so a
 * page that closed without unfollowing stops counting when its lease ends.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { IpcEventChannel, IpcEventPayload, RunFollowUpdate, RunStatus } from '../shared/contract';
import {
  CHECKPOINTS_DIR,
  listCheckpoints,
  listSampleSteps,
  LOCK_FILE,
  METRICS_FILE,
  readRunStatus,
  SAMPLES_DIR,
  STATS_FILE,
  STATUS_FILE,
} from '../engine/light';
import { serializeError } from './datasets-common';
import { statusAsShown, type LiveInfo } from './runs';
import { StatsTail } from './stats-tail';

export interface RunWatcherOptions {
  /** How often followed runs are looked at, ms. */
  intervalMs?: number;
  /** How long a follower counts without renewing, ms. */
  leaseMs?: number;
}

type Emit = <E extends IpcEventChannel>(channel: E, payload: IpcEventPayload<E>) => void;

interface Followed {
  runId: string;
  dir: string;
  /** followerId → when its lease ends (ms since the epoch). */
  followers: Map<string, number>;
  tail: StatsTail;
  /** metrics.jsonl: the quality evaluations, live as the trainer writes them. */
  metricsTail: StatsTail;
  sampleSteps: string;
  checkpointSteps: string;
  status: RunStatus | null;
  /** mtimes of the folders and files whose change means a fresh look. */
  signature: string;
  /** Ticks since the status was last read (a dead trainer changes no file). */
  sinceStatus: number;
  ready: Promise<void>;
}

/** Read the status at least every this many ticks, even when no file changed: a killed trainer writes nothing. */
const STATUS_EVERY = 3;

export class RunWatcher {
  private readonly runs = new Map<string, Followed>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking = false;
  readonly intervalMs: number;
  readonly leaseMs: number;

  constructor(
    private readonly runsRoot: string,
    private readonly live: () => LiveInfo,
    private readonly emit: Emit,
    options: RunWatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  /** Runs being followed now (tests, diagnostics). */
  get followedRuns(): string[] {
    return [...this.runs.keys()];
  }

  /** Start or renew following `runId` (a folder the caller checked exists) for `followerId`. */
  async follow(runId: string, followerId: string): Promise<{ leaseMs: number }> {
    let run = this.runs.get(runId);
    if (!run) {
      const dir = path.join(this.runsRoot, runId);
      run = {
        runId,
        dir,
        followers: new Map(),
        tail: new StatsTail(path.join(dir, STATS_FILE)),
        metricsTail: new StatsTail(path.join(dir, METRICS_FILE)),
        sampleSteps: '',
        checkpointSteps: '',
        status: null,
        signature: '',
        sinceStatus: 0,
        ready: Promise.resolve(),
      };
      const r = run;
      // What is there now is the page's history (runs:get, runs:stats): only later changes are reported.
      r.ready = (async () => {
        await Promise.all([r.tail.skipToEnd(), r.metricsTail.skipToEnd()]);
        const [samples, checkpoints, status, signature] = await Promise.all([
          listSampleSteps(dir),
          listCheckpoints(dir),
          this.readStatus(r),
          this.signatureOf(dir),
        ]);
        r.sampleSteps = JSON.stringify(samples);
        r.checkpointSteps = JSON.stringify(checkpoints.map((c) => c.step));
        r.status = status;
        r.signature = signature;
      })();
      this.runs.set(runId, run);
    }
    run.followers.set(followerId, Date.now() + this.leaseMs);
    await run.ready;
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    return { leaseMs: this.leaseMs };
  }

  unfollow(runId: string, followerId: string): void {
    const run = this.runs.get(runId);
    if (!run) return;
    run.followers.delete(followerId);
    if (run.followers.size === 0) this.drop(runId);
  }

  /** Look at every followed run once (the timer calls this; tests may too). */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const run of [...this.runs.values()]) {
        for (const [id, until] of run.followers) if (until < now) run.followers.delete(id);
        if (run.followers.size === 0) {
          this.drop(run.runId);
          continue;
        }
        try {
          await this.look(run);
        } catch (e) {
          console.error(`[studio] following run ${run.runId} failed: ${serializeError(e).message}`);
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  dispose(): void {
    for (const id of [...this.runs.keys()]) this.drop(id);
  }

  /** Stop following a run whose folder is gone (deleted). */
  dropRun(runId: string): void {
    this.drop(runId);
  }

  private drop(runId: string): void {
    this.runs.delete(runId);
    if (this.runs.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async look(run: Followed): Promise<void> {
    await run.ready;
    // The files' signature before the logs: a trainer flushes stats.jsonl before it writes a checkpoint,
    // so an update that reports a new checkpoint also carries the steps up to it.
    const signature = await this.signatureOf(run.dir);
    const chunk = await run.tail.read();
    const quality = await run.metricsTail.read();
    const changedFiles = signature !== run.signature;
    run.signature = signature;
    run.sinceStatus++;

    let sampleSteps: number[] | null = null;
    let checkpointSteps: number[] | null = null;
    let status: RunStatus | null = null;
    // A reset (resume, rollback) drops samples after its checkpoint too: look at the lists then as well.
    if (changedFiles || chunk?.reset) {
      const [samples, checkpoints] = await Promise.all([listSampleSteps(run.dir), listCheckpoints(run.dir)]);
      const s = JSON.stringify(samples);
      const c = JSON.stringify(checkpoints.map((x) => x.step));
      if (s !== run.sampleSteps) sampleSteps = samples;
      if (c !== run.checkpointSteps) checkpointSteps = checkpoints.map((x) => x.step);
      run.sampleSteps = s;
      run.checkpointSteps = c;
    }
    if (changedFiles || run.sinceStatus >= STATUS_EVERY) {
      run.sinceStatus = 0;
      const now = await this.readStatus(run);
      if (now !== run.status) status = now;
      run.status = now;
    }
    if (!this.runs.has(run.runId)) return; // unfollowed meanwhile
    if (chunk || quality || sampleSteps || checkpointSteps || status) {
      const update: RunFollowUpdate = {
        runId: run.runId,
        reset: chunk?.reset ?? false,
        stats: chunk?.stats ?? [],
        events: chunk?.events ?? [],
        metricsReset: quality?.reset ?? false,
        metrics: quality?.metrics ?? [],
        sampleSteps,
        checkpointSteps,
        status,
      };
      this.emit('runs:update', update);
    }
    // The run list and the run's detail (status, checkpoints, thumbnails) refresh on this.
    if (sampleSteps || checkpointSteps || status) this.emit('runs:changed', { runId: run.runId, reason: 'updated' });
  }

  private async readStatus(run: Followed): Promise<RunStatus> {
    return statusAsShown(await readRunStatus(run.dir), run.runId, this.live());
  }

  /** mtimes (and sizes) of what a trainer changes besides stats.jsonl: status.json, the lock, and the two folders. */
  private async signatureOf(dir: string): Promise<string> {
    const parts = await Promise.all(
      [STATUS_FILE, LOCK_FILE, SAMPLES_DIR, CHECKPOINTS_DIR].map(async (name) => {
        const st = await stat(path.join(dir, name)).catch(() => null);
        return st ? `${st.mtimeMs}:${st.size}:${st.ino}` : '-';
      }),
    );
    return parts.join('|');
  }
}
