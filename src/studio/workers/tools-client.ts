/**
 * The backend's handle on the tools process: started on first use, restarted
 * after it dies (calls in flight then reject with the reason).
 */
import type { TaskProgress } from '../../shared/contract';
import { StudioError } from '../errors';
import type { ToolsMethod, ToolsMethods } from './tools-protocol';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from './worker-process';
import type { ToolsReply } from './worker-protocol';

interface Pending {
  proc: WorkerProcess;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export function describeExit(exit: WorkerExit, what: string): string {
  const lines = exit.stderrTail
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s/.test(l) && !/^\s*$/.test(l));
  const oom = /heap out of memory|Allocation failed|out of memory/i.test(exit.stderrTail);
  const how = oom
    ? 'ran out of memory'
    : exit.signal
      ? `was killed (${exit.signal})`
      : exit.code !== null && exit.code !== 0
        ? `exited with code ${exit.code}`
        : 'ended unexpectedly';
  const last = !oom && lines.length ? `: ${lines[lines.length - 1].slice(0, 300)}` : '';
  return `The ${what} ${how}${last}`;
}

export class ToolsClient {
  private proc: WorkerProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(
    private readonly launcher: WorkerLauncher,
    private readonly env: Record<string, string>,
    private readonly onProgress: (p: TaskProgress) => void,
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  call<M extends ToolsMethod>(method: M, args: Parameters<ToolsMethods[M]>[0]): Promise<ReturnType<ToolsMethods[M]>> {
    if (this.disposed) return Promise.reject(new StudioError('GAN Studio is shutting down.'));
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { proc, resolve: resolve as (v: unknown) => void, reject });
      proc.send({ type: 'call', id, method, args });
    });
  }

  cancel(taskId: string): void {
    this.proc?.send({ type: 'cancel', taskId });
  }

  dispose(): void {
    this.disposed = true;
    this.proc?.kill();
    this.proc = null;
  }

  private ensure(): WorkerProcess {
    if (this.proc) return this.proc;
    const proc = this.launcher('tools-worker', { env: this.env });
    this.proc = proc;
    proc.onMessage((raw) => {
      const m = raw as ToolsReply;
      if (m.type === 'result') {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else {
          const err = new StudioError(m.error.message);
          if (m.error.name !== 'StudioError') err.name = m.error.name;
          p.reject(err);
        }
      } else if (m.type === 'progress') {
        this.onProgress(m.progress);
      }
    });
    proc.onExit((exit) => {
      if (this.proc === proc) this.proc = null;
      const reason = describeExit(exit, 'tools process');
      for (const [id, p] of this.pending) {
        if (p.proc !== proc) continue;
        p.reject(new StudioError(`${reason}. Try again.`));
        this.pending.delete(id);
      }
    });
    return proc;
  }
}
