/**
 * stats.jsonl: one JSON object per training step. Appended as training goes;
 * on resume, lines after the checkpoint's step are dropped (they belong to
 * steps that will be trained again), so the curves continue without a seam.
 */
import { appendFile, readFile } from 'node:fs/promises';
import type { StepStats } from '../../shared/stats';
import { writeFileAtomic } from '../io/atomic';

export type { StepStats } from '../../shared/stats';

export async function readStats(file: string): Promise<StepStats[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: StepStats[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as StepStats);
    } catch {
      // a line cut short by a kill: skip it
    }
  }
  return out;
}

/** Keep only the lines up to and including `step`. */
export async function truncateStats(file: string, step: number): Promise<void> {
  const kept = (await readStats(file)).filter((s) => s.step <= step);
  await writeFileAtomic(file, kept.map((s) => JSON.stringify(s) + '\n').join(''));
}

/** Buffers lines and appends them in one write, so a fast loop does not do a write per step. */
export class StatsWriter {
  private pending: string[] = [];
  constructor(private readonly file: string) {}

  add(stats: StepStats): void {
    this.pending.push(JSON.stringify(stats) + '\n');
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    await appendFile(this.file, text);
  }
}
