/**
 * The studio's child processes (training, tools), behind one small interface
 * so the backend does not care how they were started:
 *  - serve mode and tests: `child_process.fork` (this file), running the
 *    TypeScript entry through tsx, or the built .js next to this module;
 *  - Electron: `utilityProcess.fork` (src/main/utility-process.ts).
 *
 * Messages are structured-cloned both ways (typed arrays survive).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type WorkerEntry = 'training-worker' | 'tools-worker';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Last lines the process wrote to stderr (for "why did it die"). */
  stderrTail: string;
}

export interface WorkerProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended, for whatever reason. */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** SIGKILL (or the platform's equivalent). */
  kill(): void;
}

export type WorkerLauncher = (entry: WorkerEntry, options: { env?: Record<string, string> }) => WorkerProcess;

const STDERR_TAIL = 4096;

/**
 * Training runs at a lower CPU priority than the process that serves the UI,
 * so a run that saturates the cores never makes the window (or the page) lag.
 */
export function lowerPriority(entry: WorkerEntry, pid: number | undefined): void {
  if (entry !== 'training-worker' || !pid) return;
  try {
    os.setPriority(pid, 10);
  } catch {
    // not permitted here: run at normal priority
  }
}

/** Keeps the last few KB a stream wrote. */
export class TailBuffer {
  private text = '';
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-STDERR_TAIL);
  }
  toString(): string {
    return this.text;
  }
}

/**
 * Where a worker entry is: `<name>.ts` next to this file (source tree, run
 * through tsx) or `<name>.js` (a bundle).
 */
function workerEntryPath(
  entry: WorkerEntry,
  dir = path.dirname(fileURLToPath(import.meta.url)),
): { file: string; typescript: boolean } {
  const ts = path.join(dir, `${entry}.ts`);
  if (existsSync(ts)) return { file: ts, typescript: true };
  return { file: path.join(dir, `${entry}.js`), typescript: false };
}

/**
 * tsx's loader as an absolute file URL, so a worker finds it whatever the
 * working directory is (a bare `--import tsx` resolves from the cwd).
 */
function tsxImport(): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    return 'tsx';
  }
}

/** child_process.fork launcher (serve mode, tests, benches). */
export const forkLauncher: WorkerLauncher = (entry, options) => {
  const { file, typescript } = workerEntryPath(entry);
  const child = fork(file, [], {
    execArgv: typescript ? ['--import', tsxImport()] : [],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  lowerPriority(entry, child.pid);
  const tail = new TailBuffer();
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    tail.push(d);
    process.stderr.write(d);
  });
  const exitListeners: Array<(e: WorkerExit) => void> = [];
  let exited: WorkerExit | null = null;
  child.on('exit', (code, signal) => {
    // Let the last stderr chunk arrive before reporting.
    setTimeout(() => {
      exited = { code, signal, stderrTail: tail.toString() };
      for (const l of exitListeners) l(exited);
    }, 50);
  });
  child.on('error', () => {
    // 'exit' follows (or the spawn failed and exit reports it).
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (child.connected) child.send(message as never);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      if (exited) listener(exited);
      else exitListeners.push(listener);
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
};
