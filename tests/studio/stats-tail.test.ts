/**
 * The incremental stats.jsonl reader and the watcher's leases, on real files
 * written the way a trainer writes them (appends, a half-written last line, an
 * atomic rewrite on resume).
 */
import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IpcEventChannel, RunFollowUpdate } from '../../src/shared/contract';
import { truncateMetrics } from '../../src/engine/metrics/live';
import { readLastStatsStep } from '../../src/studio/runs';
import { RunWatcher } from '../../src/studio/run-watcher';
import { StatsTail } from '../../src/studio/stats-tail';
import { tempDir } from '../helpers/temp';

const line = (step: number) =>
  JSON.stringify({
    step,
    lossD: 1,
    lossG: 2,
    dReal: 0.5,
    dFake: 0.4,
    gradNormD: 1,
    gradNormG: 1,
    imgPerSec: 10,
    time: 1000 * step,
  }) + '\n';

describe('StatsTail', () => {
  it('reads only what was appended, waits for a half-written line, and starts over on a rewrite', async () => {
    const dir = await tempDir('gan-tail-');
    const file = path.join(dir, 'stats.jsonl');
    await writeFile(file, line(1) + line(2) + line(3).slice(0, 20));
    const tail = new StatsTail(file);
    await tail.skipToEnd();
    // the history (1, 2) is the page's already; the cut line 3 is not, and is read once whole
    expect(await tail.read()).toBeNull();
    await appendFile(file, line(3).slice(20) + line(4).slice(0, 7));
    const a = await tail.read();
    expect(a?.reset).toBe(false);
    expect(a?.stats.map((s) => s.step)).toEqual([3]);
    await appendFile(file, line(4).slice(7) + JSON.stringify({ type: 'rollback', step: 2, fromStep: 4 }) + '\n');
    const b = await tail.read();
    expect(b?.stats.map((s) => s.step)).toEqual([4]);
    expect(b?.events).toEqual([{ type: 'rollback', step: 2, fromStep: 4 }]);
    expect(await tail.read()).toBeNull();

    // a resume cuts the file back atomically (a new file, here longer than the old offset)
    const tmp = `${file}.tmp`;
    await writeFile(tmp, line(1) + line(2) + line(3) + line(5) + line(6) + line(7));
    await rename(tmp, file);
    const c = await tail.read();
    expect(c?.reset).toBe(true);
    expect(c?.stats.map((s) => s.step)).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it('a file that appears later is read from its start; one that shrinks in place starts over', async () => {
    const dir = await tempDir('gan-tail-');
    const file = path.join(dir, 'stats.jsonl');
    const tail = new StatsTail(file);
    await tail.skipToEnd();
    expect(await tail.read()).toBeNull();
    await writeFile(file, line(1));
    expect((await tail.read())?.stats.map((s) => s.step)).toEqual([1]);
    await writeFile(file, ''); // truncated in place: same inode, smaller
    expect(await tail.read()).toEqual({ reset: true, stats: [], events: [], metrics: [] });
  });

  it('readLastStatsStep finds the last whole step line from the end of a long file', async () => {
    const dir = await tempDir('gan-tail-');
    const lines = Array.from({ length: 400 }, (_, i) => line(i + 1)).join('');
    await writeFile(path.join(dir, 'stats.jsonl'), lines + JSON.stringify({ type: 'rollback', step: 9 }) + '\n{"st');
    expect(await readLastStatsStep(dir)).toBe(400);
    expect(await readLastStatsStep(path.join(dir, 'missing'))).toBe(0);
  });
});

/** A metrics.jsonl line as LiveMetrics writes it. */
const evaluation = (step: number) =>
  JSON.stringify({
    step,
    swd: 100 - step,
    swdLevels: [90, 110],
    swdSizes: [28, 14],
    kid: 5,
    diversity: 0.9,
    diversitySamples: 9,
    diversityReals: 10,
    samples: 16,
    reals: 16,
    seconds: 0.5,
    heldout: true,
    time: 1000 * step,
  }) + '\n';

describe('RunWatcher and metrics.jsonl', () => {
  it("streams a followed run's new evaluations, and all of them again when a resume cuts the file back", async () => {
    const root = await tempDir('gan-watch-');
    const dir = path.join(root, '00001-m');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'stats.jsonl'), line(1));
    await writeFile(path.join(dir, 'metrics.jsonl'), evaluation(0));
    const events: { channel: IpcEventChannel; payload: unknown }[] = [];
    const watcher = new RunWatcher(
      root,
      () => ({ liveRunId: null, ownPids: new Set() }),
      (channel, payload) => events.push({ channel, payload }),
      { intervalMs: 60_000 },
    );
    const updates = () => events.filter((e) => e.channel === 'runs:update').map((e) => e.payload as RunFollowUpdate);
    try {
      await watcher.follow('00001-m', 'page');
      // an evaluation alone (no new step line) is an update; the history (step 0) is not sent again
      await appendFile(path.join(dir, 'metrics.jsonl'), evaluation(10) + evaluation(20).slice(0, 9));
      await watcher.tick();
      expect(updates().map((u) => [u.metricsReset, u.metrics.map((m) => m.step), u.stats.length])).toEqual([
        [false, [10], 0],
      ]);
      expect(updates()[0].metrics[0].swd).toBe(90);
      await appendFile(path.join(dir, 'metrics.jsonl'), evaluation(20).slice(9) + evaluation(30));
      await watcher.tick();
      expect(updates()[1].metrics.map((m) => m.step)).toEqual([20, 30]);
      // a resume from step 20 rewrites the file with the engine's own cut
      await truncateMetrics(dir, 20);
      await watcher.tick();
      expect(updates()[2]).toMatchObject({ metricsReset: true, reset: false });
      expect(updates()[2].metrics.map((m) => m.step)).toEqual([0, 10, 20]);
      await watcher.tick();
      expect(updates()).toHaveLength(3);
    } finally {
      watcher.dispose();
    }
  });
});

describe('RunWatcher leases', () => {
  it('stops looking at a run when its last follower unfollows or lets its lease run out', async () => {
    const root = await tempDir('gan-watch-');
    const dir = path.join(root, '00001-x');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'stats.jsonl'), line(1));
    const events: { channel: IpcEventChannel; payload: unknown }[] = [];
    const watcher = new RunWatcher(
      root,
      () => ({ liveRunId: null, ownPids: new Set() }),
      (channel, payload) => events.push({ channel, payload }),
      { intervalMs: 60_000, leaseMs: 200 },
    );
    try {
      await watcher.follow('00001-x', 'page-a');
      await watcher.follow('00001-x', 'page-b');
      await appendFile(path.join(dir, 'stats.jsonl'), line(2));
      await watcher.tick();
      const updates = events.filter((e) => e.channel === 'runs:update').map((e) => e.payload as RunFollowUpdate);
      expect(updates.map((u) => u.stats.map((s) => s.step))).toEqual([[2]]);

      watcher.unfollow('00001-x', 'page-a');
      expect(watcher.followedRuns).toEqual(['00001-x']);
      await new Promise((r) => setTimeout(r, 300)); // page-b never renews
      await appendFile(path.join(dir, 'stats.jsonl'), line(3));
      await watcher.tick();
      expect(watcher.followedRuns).toEqual([]);
      expect(events.filter((e) => e.channel === 'runs:update')).toHaveLength(1);
    } finally {
      watcher.dispose();
    }
  });
});
