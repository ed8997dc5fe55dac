/**
 * Reads what a trainer appends to a run's stats.jsonl, from where the last
 * read stopped (a byte offset), as `tail -f` does. Only whole lines are
 * parsed: a last line without its newline yet (the trainer is mid-append, or
 * was killed mid-write) waits for the next read. A file that shrank or was
 * replaced (a resume or a rollback rewrites it atomically, cut back to a
 * checkpoint) is read again from the start, and says so with `reset`.
 */
import { open, stat } from 'node:fs/promises';
import { isMetricsPoint, type MetricsPoint } from '../shared/metrics';
import type { StepStats } from '../shared/stats';
import { isEventLine, type RunEventLine } from '../shared/stats';

export interface StatsChunk {
  /** The file was rewritten: these are all its lines, and earlier ones are void. */
  reset: boolean;
  stats: StepStats[];
  events: RunEventLine[];
  /** Quality evaluations (lines of metrics.jsonl). */
  metrics: MetricsPoint[];
}

const NEWLINE = 0x0a;
/** Most bytes read in one go; a long file read on a reset is parsed in slices of this size. */
const CHUNK = 1 << 20;

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class StatsTail {
  private offset = 0;
  private ino: number | null = null;
  /** Bytes after the last newline read so far (a line not yet finished). */
  private partial: Buffer = Buffer.alloc(0);

  constructor(private readonly file: string) {}

  /**
   * Start after the last whole line as the file is now (the caller has read
   * the history another way), so the next read gives only what comes later.
   */
  async skipToEnd(): Promise<void> {
    const st = await stat(this.file).catch(() => null);
    this.partial = Buffer.alloc(0);
    if (!st) {
      this.offset = 0;
      this.ino = null;
      return;
    }
    this.ino = st.ino;
    this.offset = st.size;
    if (st.size === 0) return;
    // A half-written last line is left for the next read to finish.
    const fh = await open(this.file, 'r');
    try {
      const tailSize = Math.min(st.size, 64 * 1024);
      const buf = Buffer.alloc(tailSize);
      const { bytesRead } = await fh.read(buf, 0, tailSize, st.size - tailSize);
      const lastNewline = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (lastNewline !== bytesRead - 1)
        this.offset = lastNewline < 0 ? st.size - bytesRead : st.size - bytesRead + lastNewline + 1;
    } finally {
      await fh.close();
    }
  }

  /** What was appended since the last read; null when nothing was. */
  async read(): Promise<StatsChunk | null> {
    const st = await stat(this.file).catch(() => null);
    if (!st) {
      // Gone (or not made yet): a file that was there is a reset to nothing.
      if (this.ino === null) return null;
      this.ino = null;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
      return { reset: true, stats: [], events: [], metrics: [] };
    }
    let reset = false;
    if (this.ino !== null && (st.ino !== this.ino || st.size < this.offset)) {
      reset = true;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
    }
    this.ino = st.ino;
    if (st.size === this.offset) return reset ? { reset, stats: [], events: [], metrics: [] } : null;

    const out: StatsChunk = { reset, stats: [], events: [], metrics: [] };
    const fh = await open(this.file, 'r');
    try {
      while (this.offset < st.size) {
        const want = Math.min(CHUNK, st.size - this.offset);
        const buf = Buffer.alloc(want);
        const { bytesRead } = await fh.read(buf, 0, want, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        this.parse(Buffer.concat([this.partial, buf.subarray(0, bytesRead)]), out);
        if (this.offset < st.size) await yieldToLoop();
      }
    } finally {
      await fh.close();
    }
    return out.reset || out.stats.length > 0 || out.events.length > 0 || out.metrics.length > 0 ? out : null;
  }

  /** Parse the whole lines of `bytes` into `out`; keep the unfinished rest. */
  private parse(bytes: Buffer, out: StatsChunk): void {
    const lastNewline = bytes.lastIndexOf(NEWLINE);
    this.partial = Buffer.from(bytes.subarray(lastNewline + 1));
    if (lastNewline < 0) return;
    for (const line of bytes.subarray(0, lastNewline).toString('utf8').split('\n')) {
      if (!line) continue;
      try {
        const parsed = JSON.parse(line) as StepStats | RunEventLine | MetricsPoint;
        // an evaluation has a step too: tell it apart first
        if (isMetricsPoint(parsed)) out.metrics.push(parsed);
        else if (isEventLine(parsed)) out.events.push(parsed);
        else if (typeof parsed?.step === 'number') out.stats.push(parsed);
      } catch {
        // a line cut short by a kill, then completed by nothing: skipped, as readRunStats does
      }
    }
  }
}
