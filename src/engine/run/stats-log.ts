/**
 * stats.jsonl: one JSON object per training step. Appended as training goes;
 * on resume, lines after the checkpoint's step are dropped (they belong to
 * steps that will be trained again), so the curves continue without a seam.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { isEventLine, type RunEventLine, type StepStats } from '../../shared/stats';
import { writeFileAtomic } from '../io/atomic';

export type { StepStats } from '../../shared/stats';

/** Every parsed line of stats.jsonl, steps and events alike; a line cut short by a kill is skipped. */
async function readLines(file: string): Promise<(StepStats | RunEventLine)[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: (StepStats | RunEventLine)[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as StepStats | RunEventLine);
    } catch {
      // a line cut short by a kill: skip it
    }
  }
  return out;
}

/** The step lines of stats.jsonl (event lines such as rollbacks are left out). */
export async function readStats(file: string): Promise<StepStats[]> {
  return (await readLines(file)).filter((l): l is StepStats => !isEventLine(l));
}

/** The event lines of stats.jsonl (rollbacks), in order. */
export async function readEvents(file: string): Promise<RunEventLine[]> {
  return (await readLines(file)).filter(isEventLine);
}

/** Keep only the lines (steps and events) up to and including `step`. */
export async function truncateStats(file: string, step: number): Promise<void> {
  const kept = (await readLines(file)).filter((s) => s.step <= step);
  await writeFileAtomic(file, kept.map((s) => JSON.stringify(s) + '\n').join(''));
}

/** Buffers lines and appends them in one write, so a fast loop does not do a write per step. */
export class StatsWriter {
  private pending: string[] = [];
  constructor(private readonly file: string) {}

  add(stats: StepStats | RunEventLine): void {
    this.pending.push(JSON.stringify(stats) + '\n');
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    await appendFile(this.file, text);
  }
}
