/**
 * Helpers for the CLI tests: run `bin/gan-studio.mjs` in a real child process,
 * temp folders, and readers for what a run folder holds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll } from 'vitest';
import type { StepStats } from '../../src/shared/stats';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO_ROOT, 'bin', 'gan-studio.mjs');

/** Options that keep every training run tiny: a small model on wasm. */
/** Metrics off: they cost two evaluations per run, and tests/cli/metrics.test.ts covers them. */
export const TINY = ['--set', 'model.baseWidth=8', '--set', 'metrics.enabled=false', '--backend', 'wasm'] as const;

export interface CliResult {
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Non-empty lines of stderr. */
  stderrLines: string[];
  ms: number;
}

export interface CliOptions {
  /** Environment additions; GAN_STUDIO_CACHE should always point at a temp folder. */
  env?: Record<string, string>;
  cwd?: string;
  /** Kill the child after this many ms (the test then fails on the exit code). */
  timeoutMs?: number;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Plain output: no colours, no TTY tricks, whatever the parent terminal is.
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  return env;
}

/** A running CLI child with its output collected as it arrives. */
export interface CliChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the child exits, with everything it printed. */
  done: Promise<CliResult>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): CliChild {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: out,
        stderr: err,
        stderrLines: err.split('\n').filter((l) => l.trim() !== ''),
        ms: Date.now() - started,
      });
    });
  });
  return { child, stdout: () => out, stderr: () => err, done };
}

/** Run the CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, { timeoutMs: 110_000, ...options }).done;
}

/** A readable dump of a result for failing assertions. */
export function describeResult(r: CliResult): string {
  return `exit ${r.code} signal ${r.signal} after ${r.ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Fail with the child's output when it did not exit 0. */
export function expectSuccess(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`gan-studio failed: ${describeResult(r)}`);
  return r;
}

export async function makeTempDir(prefix = 'gan-cli-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
}

/** The run folders under an --out folder, sorted. */
export async function runDirs(outDir: string): Promise<string[]> {
  const names = existsSync(outDir) ? await fs.readdir(outDir) : [];
  return names
    .filter((n) => /^\d{5}-/.test(n))
    .sort()
    .map((n) => path.join(outDir, n));
}

/** Train a new run and return its folder; fails the test with the CLI output when training fails. */
export async function trainRun(
  outDir: string,
  args: readonly string[],
  options: CliOptions = {},
): Promise<{ runDir: string; result: CliResult }> {
  const before = new Set(await runDirs(outDir));
  const result = expectSuccess(await runCli(['train', '--out', outDir, ...args], options));
  const created = (await runDirs(outDir)).filter((d) => !before.has(d));
  if (created.length !== 1)
    throw new Error(`expected one new run folder in ${outDir}, found ${created.length}\n${describeResult(result)}`);
  return { runDir: created[0], result };
}

/** One line of stats.jsonl. */
export type StatsLine = StepStats;

/** Every line of stats.jsonl parsed (throws on a line that is not JSON). */
export async function readStats(runDir: string): Promise<StatsLine[]> {
  const text = await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StatsLine);
}

export async function readJson<T = Record<string, unknown>>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

/** Checkpoint folder names of a run, sorted. */
export async function checkpointNames(runDir: string): Promise<string[]> {
  return (await fs.readdir(path.join(runDir, 'checkpoints'))).sort();
}

/** Every file under `dir`, as sorted '/'-separated relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out.sort();
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width, height and channels of a PNG, checking that it is one and that it decodes whole. */
export async function pngInfo(file: string): Promise<{ width: number; height: number; channels: number }> {
  const bytes = await fs.readFile(file);
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error(`${file} is not a PNG (bad signature)`);
  const meta = await sharp(bytes).metadata();
  if (meta.format !== 'png') throw new Error(`${file}: sharp reads it as ${meta.format}`);
  await sharp(bytes).raw().toBuffer(); // decodes the whole image: fails on a truncated or damaged one
  return { width: meta.width!, height: meta.height!, channels: meta.channels! };
}

/** Side of a sample grid of `n` images of `size` pixels with a 2-pixel gap (see gridPng). */
export function gridSide(columns: number, size: number, gap = 2): number {
  return columns * size + (columns + 1) * gap;
}

/** Poll until `check` returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Start `gan-studio train --out OUT ARGS` in a child and wait until its run
 * folder's stats.jsonl holds `lines` steps (default 2) or `waitMs` passes
 * (default 60 s); fails with the child's output if train exits first.
 */
export async function startTrainingRun(
  out: string,
  args: readonly string[],
  options: CliOptions & { lines?: number; waitMs?: number } = {},
): Promise<{ proc: CliChild; runDir: string }> {
  const { lines = 2, waitMs = 60_000, ...cliOptions } = options;
  const proc = startCli(['train', '--out', out, ...args], cliOptions);
  let exited: CliResult | null = null;
  void proc.done.then((r) => (exited = r));
  const runDir = await waitFor(
    async () => {
      if (exited) throw new Error(`train exited early: ${describeResult(exited)}`);
      const [dir] = await runDirs(out);
      return dir && (await readStats(dir).catch(() => [])).length >= lines ? dir : null;
    },
    waitMs,
    `${lines} steps in stats.jsonl`,
  );
  return { proc, runDir };
}

/** stderr lines that look like a JavaScript stack frame. */
export function stackLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\s+at /.test(l));
}

/** A CLI test file's temp folder (`dir`) and the env that points the model cache inside it. */
export interface CliTempDir {
  dir: string;
  env: Record<string, string>;
}

/**
 * Make a temp folder before the file's tests and remove it after them. Call it at the top of
 * the file, before any hook that uses it: hooks run in the order registered (afterAll in reverse).
 */
export function cliTempDir(prefix: string): CliTempDir {
  const ws: CliTempDir = { dir: '', env: {} };
  beforeAll(async () => {
    ws.dir = await makeTempDir(prefix);
    ws.env = { GAN_STUDIO_CACHE: path.join(ws.dir, 'cache') };
  });
  afterAll(async () => {
    await removeDir(ws.dir || undefined);
  });
  return ws;
}
