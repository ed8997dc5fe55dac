/**
 * Reading run folders for the Runs view: plain file reads, no tfjs, so it is
 * safe on the main/serve event loop (big stats files are parsed in slices).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { TrainConfigSchema, type TrainConfig } from '../shared/config';
import type { CheckpointInfo, ConfigDiffEntry, RunDetail, RunStatus, RunSummary, StepStats } from '../shared/contract';
import { StudioError } from './errors';
import { isEventLine, type RunEventLine } from '../shared/stats';

const RUN_ID = /^\d{5,}-[\w.-]{1,64}$/;
const SAMPLE_FILE = /^step-(\d{6,})\.png$/;
const CHECKPOINT_DIR = /^step-(\d{6,})$/;

interface StatusFile {
  status?: string;
  step?: number;
  steps?: number;
  backend?: string;
  pid?: number;
  updatedAt?: string;
  error?: string;
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Steps of the files in a run subfolder that match `pattern`, ascending. */
async function stepsIn(dir: string, pattern: RegExp): Promise<number[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => pattern.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

function pidAlive(pid: number | undefined): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readRunConfig(runDir: string): Promise<TrainConfig | null> {
  const raw = await readJson<unknown>(path.join(runDir, 'config.json'));
  const parsed = TrainConfigSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export interface LiveInfo {
  /** Run id the studio's training process works on, if any. */
  liveRunId: string | null;
  /** Pids of training processes the studio started (alive). */
  ownPids: Set<number>;
}

export async function summarizeRun(runsRoot: string, id: string, live: LiveInfo): Promise<RunSummary | null> {
  const dir = path.join(runsRoot, id);
  const dirStat = await stat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) return null;
  const [config, status, samples, checkpoints] = await Promise.all([
    readRunConfig(dir),
    readJson<StatusFile>(path.join(dir, 'status.json')),
    stepsIn(path.join(dir, 'samples'), SAMPLE_FILE),
    stepsIn(path.join(dir, 'checkpoints'), CHECKPOINT_DIR),
  ]);
  if (!config) return null; // not a run folder (or one that never got its config)
  const isLive = live.liveRunId === id;
  let runStatus: RunStatus;
  const s = status?.status;
  if (isLive) runStatus = s === 'paused' ? 'paused' : 'running';
  else if (s === 'running' || s === 'paused') {
    // Another process (a CLI run) may be training it; otherwise it was interrupted.
    runStatus = pidAlive(status?.pid) && !live.ownPids.has(status!.pid!) ? (s as RunStatus) : 'interrupted';
  } else if (s === 'finished' || s === 'stopped' || s === 'failed') runStatus = s;
  else runStatus = 'new';
  const lastCheckpointStep = checkpoints.length ? checkpoints[checkpoints.length - 1] : null;
  const step = Math.max(status?.step ?? 0, lastCheckpointStep ?? 0);
  return {
    id,
    name: config.name,
    dir,
    status: runStatus,
    error: runStatus === 'failed' ? (status?.error ?? null) : null,
    preset: config.preset,
    step,
    steps: config.steps,
    resolution: config.model.resolution,
    channels: config.model.channels,
    backend: status?.backend ?? config.backend,
    dataDir: config.data.dir,
    createdAt: (dirStat.birthtimeMs ? dirStat.birthtime : dirStat.mtime).toISOString(),
    updatedAt: status?.updatedAt ?? dirStat.mtime.toISOString(),
    lastSampleStep: samples.length ? samples[samples.length - 1] : null,
    lastCheckpointStep,
    checkpointCount: checkpoints.length,
    live: isLive,
    resumable: !isLive && runStatus !== 'running' && runStatus !== 'paused',
  };
}

export async function listRuns(runsRoot: string, live: LiveInfo): Promise<RunSummary[]> {
  const names = (await readdir(runsRoot).catch(() => [] as string[])).filter((n) => RUN_ID.test(n));
  const runs = await Promise.all(names.map((n) => summarizeRun(runsRoot, n, live)));
  return runs.filter((r): r is RunSummary => r !== null).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export async function runDetail(runsRoot: string, id: string, live: LiveInfo): Promise<RunDetail> {
  const summary = await summarizeRun(runsRoot, id, live);
  if (!summary) throw new StudioError(`Run ${id} not found.`);
  const dir = summary.dir;
  const config = (await readRunConfig(dir))!;
  const report = await readJson<RunDetail['importReport'] & Record<string, unknown>>(path.join(dir, 'import-report.json'));
  const sampleSteps = await stepsIn(path.join(dir, 'samples'), SAMPLE_FILE);
  const checkpointSteps = await stepsIn(path.join(dir, 'checkpoints'), CHECKPOINT_DIR);
  const checkpoints: CheckpointInfo[] = await Promise.all(
    checkpointSteps.map(async (step) => {
      const state = await readJson<{ savedAt?: string; backend?: string }>(path.join(dir, 'checkpoints', `step-${String(step).padStart(6, '0')}`, 'state.json'));
      const before = sampleSteps.filter((s) => s <= step);
      return { step, savedAt: state?.savedAt ?? null, backend: state?.backend ?? null, sampleStep: before.length ? before[before.length - 1] : null };
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
export async function readRunStats(runDir: string, fromStep = -1, maxPoints?: number): Promise<{ stats: StepStats[]; total: number; events: RunEventLine[] }> {
  let text: string;
  try {
    text = await readFile(path.join(runDir, 'stats.jsonl'), 'utf8');
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
  // A resumed run truncates stats.jsonl, but keep only the newest line per step to be safe.
  const total = out.length;
  if (!maxPoints || out.length <= maxPoints) return { stats: out, total, events };
  const thinned: StepStats[] = [];
  const stride = out.length / maxPoints;
  for (let k = 0; k < maxPoints - 1; k++) thinned.push(out[Math.floor(k * stride)]);
  thinned.push(out[out.length - 1]);
  return { stats: thinned, total, events };
}

export function sampleFile(runDir: string, step: number): string {
  return path.join(runDir, 'samples', `step-${String(step).padStart(6, '0')}.png`);
}

export async function newestSampleStep(runDir: string): Promise<number | null> {
  const steps = await stepsIn(path.join(runDir, 'samples'), SAMPLE_FILE);
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

export async function checkpointSteps(runDir: string): Promise<number[]> {
  return stepsIn(path.join(runDir, 'checkpoints'), CHECKPOINT_DIR);
}
