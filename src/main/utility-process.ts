/**
 * The desktop app's WorkerLauncher: studio workers (training, tools) run as
 * Electron utility processes, built by electron-vite next to main
 * (out/main/training-worker.js, out/main/tools-worker.js).
 */
import { utilityProcess } from 'electron';
import { join } from 'node:path';
import { lowerPriority, TailBuffer, type WorkerExit, type WorkerLauncher } from '../studio/workers/worker-process';

export const utilityLauncher: WorkerLauncher = (entry, options) => {
  const child = utilityProcess.fork(join(import.meta.dirname, `${entry}.js`), [], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'pipe'],
    serviceName: `GAN Studio ${entry === 'training-worker' ? 'training' : 'tools'}`,
  });
  child.once('spawn', () => lowerPriority(entry, child.pid));
  const tail = new TailBuffer();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    tail.push(d);
    process.stderr.write(d);
  });
  let exited: WorkerExit | null = null;
  const exitListeners: Array<(e: WorkerExit) => void> = [];
  let fatal: string | null = null;
  child.on('error', (type, location) => {
    fatal = `${type} at ${location}`;
  });
  child.on('exit', (code) => {
    setTimeout(() => {
      exited = { code, signal: null, stderrTail: fatal ? `${tail.toString()}\n${fatal}` : tail.toString() };
      for (const l of exitListeners) l(exited);
    }, 50);
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (exited === null) child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      if (exited) listener(exited);
      else exitListeners.push(listener);
    },
    kill() {
      child.kill();
    },
  };
};
