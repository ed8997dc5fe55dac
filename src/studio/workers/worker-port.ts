/**
 * The child side of a WorkerProcess: talks to the parent through Electron's
 * `process.parentPort` (utilityProcess) or Node's `process.send` (fork).
 */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WorkerPort {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called when the parent goes away (then the worker should exit). */
  onParentGone(listener: () => void): void;
}

export function connectToParent(): WorkerPort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
      // A utility process is killed with its parent.
      onParentGone: () => {},
    };
  }
  if (!process.send) throw new Error('this module must run as a worker process (no IPC channel to a parent)');
  return {
    send: (m) => {
      if (process.connected) process.send!(m);
    },
    onMessage: (l) => process.on('message', l),
    onParentGone: (l) => process.on('disconnect', l),
  };
}
