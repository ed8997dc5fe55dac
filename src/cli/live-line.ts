/**
 * One status line redrawn in place on a terminal, with messages printed above
 * it. It draws only when called: no timer (a timer left running keeps the
 * process alive after a Ctrl-C), and no cursor save/restore (a saved position
 * goes stale as soon as the terminal scrolls, and the bar then lands on a line
 * printed since). Each draw is `\r`, the text cut to the terminal's width so it
 * never wraps, and erase-to-end-of-line.
 */

/** Redraws closer together than this are skipped (the next call or stop() shows the latest text). */
const MIN_INTERVAL_MS = 100;

const BAR_WIDTH = 24;

/** A bar of `fraction` (0..1) in block characters, e.g. `██████░░░░`. */
export function bar(fraction: number, width = BAR_WIDTH): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return '\u2588'.repeat(full) + '\u2591'.repeat(width - full);
}

export class LiveLine {
  private text = '';
  private lastDraw = 0;
  private stopped = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  /** Show `text` (at most every 100 ms unless `force`). */
  set(text: string, force = false): void {
    if (this.stopped) return;
    this.text = text;
    if (!force && Date.now() - this.lastDraw < MIN_INTERVAL_MS) return;
    this.draw();
  }

  /** Print `message` on its own line above the bar, and draw the bar again below it. */
  log(message: string): void {
    this.stream.write(`\r\x1b[2K${message}\n`);
    if (!this.stopped && this.text) this.draw();
  }

  /** Leave the latest text on a line of its own; the line is not drawn again. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.text) return;
    this.draw();
    this.stream.write('\n');
  }

  private draw(): void {
    const width = this.stream.columns || 80;
    // One column spare: a line that fills the last column wraps on some terminals.
    this.stream.write(`\r${this.text.slice(0, Math.max(1, width - 1))}\x1b[K`);
    this.lastDraw = Date.now();
  }
}
