/**
 * Notices run folders that appear in (or vanish from) the runs folder
 * without this studio's doing: a `gan-studio train` in a terminal, another
 * studio process, a copy in the file manager. The list then refreshes by
 * itself (`runs:changed` with runId null), as TensorBoard's run list does.
 *
 * A new run folder is made under a hidden name and renamed into place, and
 * either changes the runs folder's own mtime: one stat() per interval is
 * all it costs (no fs.watch, for the reasons in ./run-watcher.ts). The
 * timer does not keep the process alive.
 */
import { stat } from 'node:fs/promises';

export class RunsRootWatcher {
  private timer: ReturnType<typeof setInterval> | null = null;
  private last: string | null = null;
  private looking = false;

  constructor(
    private readonly runsRoot: string,
    private readonly changed: () => void,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.look();
    this.timer = setInterval(() => void this.look(), this.intervalMs);
    this.timer.unref?.();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Compare the folder's mtime with the last look; the first look only records it. */
  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const st = await stat(this.runsRoot).catch(() => null);
      const now = st ? `${st.mtimeMs}:${st.ino}` : '-';
      const before = this.last;
      this.last = now;
      if (before !== null && before !== now && this.timer) this.changed();
    } finally {
      this.looking = false;
    }
  }
}
