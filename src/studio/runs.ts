/**
 * Reading run folders for the Runs view: plain file reads, no tfjs, so it is
 * safe on the main/serve event loop (big stats files are parsed in slices).
 */
import { open, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointInfo, ConfigDiffEntry, RunDetail, RunStatus, RunSummary, StepStats } from '../shared/contract';
import {
  CHECKPOINT_STATE_FILE,
  IMPORT_REPORT_FILE,
  METRICS_FILE,
  STATS_FILE,
  checkpointDir,
  inspectRunConfig,
  listCheckpoints,
  listRunFolders,
  listSampleSteps,
  readRunStatus,
  sampleFile as layoutSampleFile,
  type RunStatusInfo,
} from '../engine/light';
import { StudioError } from './errors';
import { isMetricsPoint, type MetricsPoint } from '../shared/metrics';
import { isEventLine, type RunEventLine } from '../shared/stats';

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

const checkpointStepsOf = async (runDir: string): Promise<number[]> =>
  (await listCheckpoints(runDir)).map((c) => c.step);

export interface LiveInfo {
  /** Run id the studio's training process works on, if any. */
  liveRunId: string | null;
  /** Pids of training processes the studio started (alive). */
  ownPids: Set<number>;
}

/**
 * The status the studio shows for a run: its trainer's word checked against
 * the lock (readRunStatus), and this studio's own job, which it knows best.
 */
export function statusAsShown(info: RunStatusInfo, id: string, live: LiveInfo): RunStatus {
  const status = info.file;
  if (live.liveRunId === id) return status?.status === 'paused' ? 'paused' : 'running';
  // A process this studio started that is not on this run any more (it is exiting) does not train it.
  if ((info.status === 'running' || info.status === 'paused') && status && live.ownPids.has(status.pid))
    return 'interrupted';
  return info.status;
}

/** The step of the last whole line of stats.jsonl (read from its end), 0 when none. */
export async function readLastStatsStep(runDir: string): Promise<number> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(path.join(runDir, STATS_FILE), 'r');
    const size = (await fh.stat()).size;
    const length = Math.min(size, 16 * 1024);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, size - length);
    const lines = buf.subarray(0, bytesRead).toString('utf8').split('\n');
    // The first piece may be cut by the window and the last one by a writer: both fail to parse or are skipped.
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const line = JSON.parse(lines[i]) as { step?: unknown };
        if (typeof line.step === 'number' && !isEventLine(line)) return line.step;
      } catch {
        // not a whole line
      }
    }
    return 0;
  } catch {
    return 0;
  } finally {
    await fh?.close();
  }
}

/**
 * One run as the Runs view lists it. A damaged or half-made run (no or a
 * broken config.json) is listed too, with `problem` saying what is wrong, so
 * it can be deleted; null only when `id` is not a folder.
 */
export async function summarizeRun(runsRoot: string, id: string, live: LiveInfo): Promise<RunSummary | null> {
  const dir = path.join(runsRoot, id);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) return null;
  const [inspected, statusInfo, samples, checkpoints, lastStatsStep] = await Promise.all([
    inspectRunConfig(dir),
    readRunStatus(dir),
    listSampleSteps(dir),
    checkpointStepsOf(dir),
    readLastStatsStep(dir),
  ]);
  const { config, problem } = inspected;
  const status = statusInfo.file;
  const isLive = live.liveRunId === id;
  const runStatus = statusAsShown(statusInfo, id, live);
  const lastCheckpointStep = checkpoints.length ? checkpoints[checkpoints.length - 1] : null;
  // status.json is written on changes of status only: while a trainer works, stats.jsonl says how far it got.
  const step = Math.max(status?.step ?? 0, lastCheckpointStep ?? 0, lastStatsStep);
  const createdAt = (dirStat.birthtimeMs ? dirStat.birthtime : dirStat.mtime).toISOString();
  return {
    id,
    name: config?.name ?? id.replace(/^\d+-/, ''),
    dir,
    status: runStatus,
    error: runStatus === 'failed' ? (status?.error ?? null) : null,
    problem,
    preset: config?.preset ?? '',
    step,
    steps: config?.steps ?? status?.steps ?? 0,
    resolution: config?.model.resolution ?? 0,
    channels: config?.model.channels ?? 0,
    backend: status?.backend ?? config?.backend ?? '',
    dataDir: config?.data.dir ?? null,
    createdAt,
    updatedAt: status?.updatedAt ?? dirStat.mtime.toISOString(),
    lastSampleStep: samples.length ? samples[samples.length - 1] : null,
    lastCheckpointStep,
    checkpointCount: checkpoints.length,
    live: isLive,
    resumable: problem === null && !isLive && runStatus !== 'running' && runStatus !== 'paused',
  };
}

export async function listRuns(runsRoot: string, live: LiveInfo): Promise<RunSummary[]> {
  const names = await listRunFolders(runsRoot);
  const runs = await Promise.all(names.map((n) => summarizeRun(runsRoot, n, live)));
  return runs.filter((r): r is RunSummary => r !== null).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export async function runDetail(runsRoot: string, id: string, live: LiveInfo): Promise<RunDetail> {
  const summary = await summarizeRun(runsRoot, id, live);
  if (!summary) throw new StudioError(`Run ${id} not found.`);
  const dir = summary.dir;
  const { config, problem } = await inspectRunConfig(dir);
  if (!config) throw new StudioError(`Run ${id} is damaged: ${problem} Repair it (or delete it) in the runs list.`);
  const report = await readJson<RunDetail['importReport'] & Record<string, unknown>>(
    path.join(dir, IMPORT_REPORT_FILE),
  );
  const sampleSteps = await listSampleSteps(dir);
  const checkpointSteps = await checkpointStepsOf(dir);
  const checkpoints: CheckpointInfo[] = await Promise.all(
    checkpointSteps.map(async (step) => {
      const state = await readJson<{ savedAt?: string; backend?: string }>(
        path.join(checkpointDir(dir, step), CHECKPOINT_STATE_FILE),
      );
      const before = sampleSteps.filter((s) => s <= step);
      return {
        step,
        savedAt: state?.savedAt ?? null,
        backend: state?.backend ?? null,
        sampleStep: before.length ? before[before.length - 1] : null,
      };
    }),
  );
  return {
    summary,
    config,
    importReport: report
      ? {
          root: String(report.root ?? ''),
          imported: Number(report.imported ?? 0),
          skipped: Array.isArray(report.skipped) ? report.skipped : [],
          classNames: Array.isArray(report.classNames) ? report.classNames : [],
          classCounts: Array.isArray(report.classCounts) ? report.classCounts : [],
          preprocessing: String(report.preprocessing ?? ''),
        }
      : null,
    sampleSteps,
    checkpoints,
  };
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** stats.jsonl from `fromStep` (exclusive), parsed in slices so a long run does not stall the event loop. */
export async function readRunStats(
  runDir: string,
  fromStep = -1,
  maxPoints?: number,
): Promise<{ stats: StepStats[]; total: number; events: RunEventLine[] }> {
  let text: string;
  try {
    text = await readFile(path.join(runDir, STATS_FILE), 'utf8');
  } catch {
    return { stats: [], total: 0, events: [] };
  }
  const lines = text.split('\n');
  const out: StepStats[] = [];
  const events: RunEventLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (i % 5000 === 4999) await yieldToLoop();
    if (!line) continue;
    try {
      const s = JSON.parse(line) as StepStats | RunEventLine;
      // Event lines (rollbacks) are markers on the curves, not points.
      if (isEventLine(s)) {
        if (s.step > fromStep) events.push(s);
      } else if (s.step > fromStep) out.push(s);
    } catch {
      // a line cut short by a kill
    }
  }
  // No dedupe by step: a resume and a rollback first cut stats.jsonl back to their checkpoint's step
  // (truncateStats in src/engine/run/stats-log.ts), so no step repeats.
  const total = out.length;
  if (!maxPoints || out.length <= maxPoints) return { stats: out, total, events };
  const thinned: StepStats[] = [];
  const stride = out.length / maxPoints;
  for (let k = 0; k < maxPoints - 1; k++) thinned.push(out[Math.floor(k * stride)]);
  thinned.push(out[out.length - 1]);
  return { stats: thinned, total, events };
}

/** metrics.jsonl from `fromStep` (exclusive): one point per quality evaluation, ascending; none when the run has no metrics. */
export async function readRunMetrics(runDir: string, fromStep = -1): Promise<MetricsPoint[]> {
  let text: string;
  try {
    text = await readFile(path.join(runDir, METRICS_FILE), 'utf8');
  } catch {
    return [];
  }
  const out: MetricsPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m: unknown = JSON.parse(line);
      if (isMetricsPoint(m) && m.step > fromStep) out.push(m);
    } catch {
      // a line cut short by a kill
    }
  }
  // A resume cuts metrics.jsonl back to its checkpoint (truncateMetrics), so steps do not repeat.
  return out.sort((a, b) => a.step - b.step);
}

export const sampleFile = layoutSampleFile;

export async function newestSampleStep(runDir: string): Promise<number | null> {
  const steps = await listSampleSteps(runDir);
  return steps.length ? steps[steps.length - 1] : null;
}

/** Options that differ between two configs, as dotted paths. */
export function diffConfigs(a: unknown, b: unknown, prefix = ''): ConfigDiffEntry[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffConfigs(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: prefix, a: a ?? null, b: b ?? null }];
}

export async function deleteRun(runDir: string): Promise<void> {
  await rm(runDir, { recursive: true, force: true });
}

export const checkpointSteps = checkpointStepsOf;
