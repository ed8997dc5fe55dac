/**
 * Pausing a training loop between steps. The loop awaits `wait()` before each
 * step; while paused, that promise stays pending, so the process idles
 * without giving up its models, optimizer state or place in the data.
 */
export class PauseGate {
  private release: (() => void) | null = null;
  private gate: Promise<void> | null = null;

  get paused(): boolean {
    return this.gate !== null;
  }

  pause(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  resume(): void {
    this.release?.();
    this.release = null;
    this.gate = null;
  }

  /** Resolves at once when running; when paused, when resumed or when `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (!this.gate || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      void this.gate!.then(done);
    });
  }
}
