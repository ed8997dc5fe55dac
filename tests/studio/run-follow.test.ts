/**
 * Following a run the studio did not start: a real `gan-studio train` child
 * process writes into the studio's runs folder, and the real studio backend
 * reports its new steps, sample grids and checkpoints as they land, then
 * `interrupted` once the process is killed (its train.lock holder is dead).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunFollowUpdate } from '../../src/shared/contract';
import { startCli, TINY, type CliChild } from '../helpers/cli';
import { makeStudio, type TestStudio } from './helpers';

let s: TestStudio;
let cli: CliChild | null = null;

beforeAll(async () => {
  s = await makeStudio('browser', { follow: { intervalMs: 150 } });
});

afterAll(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
  await s?.backend.dispose();
});

async function until<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${cli?.stderr() ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const updates = () => s.events.filter((e) => e.channel === 'runs:update').map((e) => e.payload as RunFollowUpdate);

describe('following a run started from the CLI', () => {
  it('streams its steps, evaluations, samples and checkpoints, then shows it interrupted once killed', async () => {
    cli = startCli(
      [
        'train',
        '--out',
        s.runsRoot,
        '--name',
        'cli',
        '--steps',
        '100000',
        '--batch',
        '4',
        '--sample-every',
        '4',
        '--checkpoint-every',
        '6',
        ...TINY,
        // quality evaluations too, often and cheap: metrics.jsonl is followed like stats.jsonl
        '--set',
        'metrics.enabled=true',
        '--set',
        'metrics.every=5',
        '--set',
        'metrics.samples=16',
        '--set',
        'metrics.budget=1',
      ],
      { env: { GAN_STUDIO_CACHE: path.join(s.root, 'cache') }, timeoutMs: 200_000 },
    );
    const run = await until('the CLI run to train a step', async () => {
      const list = await s.call('runs:list');
      return list.find((r) => r.id.endsWith('-cli') && r.step > 0);
    });
    // Another process trains it: running, and the step comes from stats.jsonl, not the stale status.json.
    expect(run.status).toBe('running');
    expect(run.live).toBe(false);

    const lease = await s.call('runs:follow', { runId: run.id, followerId: 'page-1' });
    expect(lease.leaseMs).toBeGreaterThan(1000);
    const history = await s.call('runs:stats', { runId: run.id });
    const since = s.mark();

    await until('new steps, a sample grid, a checkpoint and an evaluation', async () => {
      const u = updates().filter((x) => x.runId === run.id);
      return (
        u.some((x) => x.stats.length) &&
        u.some((x) => x.sampleSteps?.length) &&
        u.some((x) => x.checkpointSteps?.length) &&
        u.some((x) => x.metrics.length) &&
        u.length >= 3
      );
    });
    const streamed = updates()
      .filter((u) => u.runId === run.id)
      .flatMap((u) => u.stats.map((x) => x.step));
    // In order, no step twice, continuing the history (a step the history already had is not sent again
    // unless the history was read after the watcher's start: the page drops those by step).
    expect(streamed.length).toBeGreaterThan(0);
    expect([...streamed].sort((a, b) => a - b)).toEqual(streamed);
    expect(new Set(streamed).size).toBe(streamed.length);
    const lastHistory = history.stats[history.stats.length - 1]?.step ?? 0;
    expect(streamed[streamed.length - 1]).toBeGreaterThan(lastHistory);
    // A new checkpoint is never reported ahead of its step's stats (the trainer flushes them before saving).
    let seen = lastHistory;
    for (const u of updates().filter((x) => x.runId === run.id)) {
      for (const st of u.stats) seen = Math.max(seen, st.step);
      if (u.checkpointSteps?.length) expect(Math.max(...u.checkpointSteps)).toBeLessThanOrEqual(seen);
    }
    // Every streamed step is a line of the file, with the file's numbers.
    const fileSteps = (await readFile(path.join(run.dir, 'stats.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { step: number });
    const inFile = new Set(fileSteps.map((l) => l.step));
    expect(streamed.every((st) => inFile.has(st))).toBe(true);
    // Its evaluations stream in as metrics.jsonl grows, later than the history, each a line of the file.
    const evaluations = updates()
      .filter((u) => u.runId === run.id)
      .flatMap((u) => u.metrics);
    const lastEvaluated = history.metrics?.[history.metrics.length - 1]?.step ?? -1;
    expect(evaluations.length).toBeGreaterThan(0);
    expect(evaluations.every((m) => m.step % 5 === 0)).toBe(true);
    expect(evaluations[evaluations.length - 1].step).toBeGreaterThanOrEqual(lastEvaluated);
    const metricLines = (await readFile(path.join(run.dir, 'metrics.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { step: number; swd: number });
    for (const m of evaluations) expect(metricLines.find((l) => l.step === m.step)?.swd).toBe(m.swd);
    // New grids change the run list too (thumbnails, the Runs detail).
    await s.waitFor('runs:changed', (c) => c.runId === run.id && c.reason === 'updated', 10_000, since);
    const sampled = updates().find((u) => u.runId === run.id && u.sampleSteps?.length)!;
    expect(sampled.sampleSteps!.every((st) => st % 4 === 0)).toBe(true);

    cli.child.kill('SIGKILL');
    await cli.done;
    const dead = await until('the run to read as interrupted', async () =>
      updates().find((u) => u.runId === run.id && u.status === 'interrupted'),
    );
    expect(dead.status).toBe('interrupted');
    const after = (await s.call('runs:list')).find((r) => r.id === run.id)!;
    expect(after.status).toBe('interrupted');
    expect(after.resumable).toBe(true);

    await s.call('runs:unfollow', { runId: run.id, followerId: 'page-1' });
    expect(s.backend.watcher.followedRuns).toEqual([]);
  }, 240_000);

  it('refuses to follow a run that does not exist', async () => {
    await expect(s.call('runs:follow', { runId: '09999-none', followerId: 'p' })).rejects.toThrow(
      'Run 09999-none not found.',
    );
    await expect(s.call('runs:follow', { runId: '../x', followerId: 'p' })).rejects.toThrow(/Invalid arguments/);
  });
});
