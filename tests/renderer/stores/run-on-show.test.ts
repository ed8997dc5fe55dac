/**
 * The run Train opens on when the page loads without a job of its own: the
 * one this tab showed before a reload, else one another process trains, else
 * the one that ended last; never "idle" while a run exists.
 */
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { phaseChip } from '@renderer/lib/phase';
import { checkpointRunToOpen, runToShow } from '@renderer/lib/run-on-show';
import { useTrainingStore } from '@renderer/stores/training';
import { detail, runningJob, stat, summary } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** Three runs as the Runs list gives them (newest id first): 00003 stopped last, 00001 finished first. */
const LIST = [
  summary('00003-b', { status: 'stopped', updatedAt: at(30), step: 12 }),
  summary('00002-a', { status: 'failed', updatedAt: at(20), error: 'out of memory' }),
  summary('00001-run', { status: 'finished', updatedAt: at(10) }),
];

describe('runToShow', () => {
  it('picks the run whose status changed last, whatever its id', () => {
    expect(runToShow(LIST, null)).toBe('00003-b');
    const reordered = [summary('00009-x', { updatedAt: at(5) }), ...LIST];
    expect(runToShow(reordered, null)).toBe('00003-b');
  });

  it('keeps the run the tab showed, while it exists and is sound', () => {
    expect(runToShow(LIST, '00001-run')).toBe('00001-run');
    expect(runToShow(LIST, '00007-deleted')).toBe('00003-b');
    const damaged = [summary('00004-broken', { updatedAt: at(50), problem: 'config.json is missing' }), ...LIST];
    expect(runToShow(damaged, '00004-broken')).toBe('00003-b');
    expect(runToShow(damaged, null)).toBe('00003-b');
  });

  it('prefers a run another process trains now, even one whose status is older', () => {
    const cli = summary('00002-cli', { status: 'running', updatedAt: at(1), live: false });
    expect(runToShow([...LIST, cli], null)).toBe('00002-cli');
    const pausedCli = summary('00002-cli', { status: 'paused', updatedAt: at(1), live: false });
    expect(runToShow([...LIST, pausedCli], null)).toBe('00002-cli');
    // the studio's own job is not "elsewhere" (and a job is shown by init anyway)
    const own = summary('00005-own', { status: 'running', updatedAt: at(0), live: true });
    expect(runToShow([...LIST, own], null)).toBe('00003-b');
  });

  it('has nothing to show without runs', () => {
    expect(runToShow([], null)).toBeNull();
    expect(runToShow([], '00001-run')).toBeNull();
  });
});

describe('checkpointRunToOpen (Generate and Export)', () => {
  const list = [
    summary('00005-new', { lastCheckpointStep: 0, checkpointCount: 1 }),
    summary('00004-none', { lastCheckpointStep: null, checkpointCount: 0 }),
    summary('00003-b', { lastCheckpointStep: 12 }),
    summary('00001-run', { lastCheckpointStep: 300 }),
  ];

  it('opens the run Train shows, when it has a checkpoint', () => {
    expect(checkpointRunToOpen(list, '00001-run')).toBe('00001-run');
    expect(checkpointRunToOpen(list, '00005-new')).toBe('00005-new'); // the user's run, even at step 0
  });

  it('else the newest run trained past step 0, not a step-0 one that makes only noise', () => {
    expect(checkpointRunToOpen(list, null)).toBe('00003-b');
    expect(checkpointRunToOpen(list, '00004-none')).toBe('00003-b');
    expect(checkpointRunToOpen([list[0], list[1]], null)).toBe('00005-new');
    expect(checkpointRunToOpen([list[1]], null)).toBeNull();
  });
});

describe('training store: the run on show after a reload', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = installFakeApi();
    vi.mocked(api.getRun).mockImplementation(async ({ runId }) => ({
      ...detail(runId, [0, 10]),
      summary: LIST.find((r) => r.id === runId) ?? summary(runId),
    }));
    vi.mocked(api.runStats).mockImplementation(async ({ runId }) => ({
      runId,
      stats: [stat(1), stat(2), stat(3)],
      total: 3,
    }));
  });

  afterEach(uninstallFakeApi);

  /** What a page load does: a fresh Pinia (the page's memory is gone; sessionStorage stays), init, then Train's pick. */
  async function loadPage() {
    setActivePinia(createPinia());
    const t = useTrainingStore();
    await t.init();
    await t.showLastRun(LIST);
    return t;
  }

  it('opens on the run that ended last: its curves, its newest grid and its status, not "idle"', async () => {
    const t = await loadPage();
    expect(t.runId).toBe('00003-b');
    expect(t.stats.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(t.samples.map((s) => s.step)).toEqual([0, 10]);
    expect(t.samples[1].src).toBe('data:image/png;base64,sample-10');
    expect(t.active).toBe(false);
    expect(t.isLive).toBe(false);
    const shown = LIST.find((r) => r.id === t.runId)!;
    expect(phaseChip(t.phase, shown.status)).toEqual({ text: 'stopped', type: 'info' });
  });

  it('a reload keeps the run the user opened; a fresh tab opens on the newest', async () => {
    const first = await loadPage();
    await first.showRun('00001-run'); // e.g. opened from Runs
    first.dispose();
    const reloaded = await loadPage();
    expect(reloaded.runId).toBe('00001-run');
    expect(reloaded.stats).toHaveLength(3);
    reloaded.dispose();

    globalThis.sessionStorage.clear(); // a new tab
    const fresh = await loadPage();
    expect(fresh.runId).toBe('00003-b');
  });

  it("the studio's own job wins: a running job is shown, and the pick does not replace it", async () => {
    vi.mocked(api.trainingState).mockResolvedValue(runningJob('00001-run', 3, 300));
    const t = await loadPage();
    expect(t.runId).toBe('00001-run');
    expect(t.isLive).toBe(true);
  });

  it('while a job imports (no run yet) nothing else is put on show', async () => {
    vi.mocked(api.trainingState).mockResolvedValue({
      phase: 'importing',
      jobId: 'j',
      runId: null,
      step: 0,
      steps: 300,
      backend: null,
      importProgress: null,
      startedAt: 1,
      stepsThisJob: 0,
    });
    const t = await loadPage();
    expect(t.runId).toBeNull();
    expect(api.getRun).not.toHaveBeenCalled();
  });

  it('a run already on show is kept (a later Runs list does not switch it)', async () => {
    const t = await loadPage();
    await t.showRun('00002-a');
    await t.showLastRun(LIST);
    expect(t.runId).toBe('00002-a');
    expect(t.error).toBe('out of memory'); // a failed run on show says why it failed
  });

  it('a deleted run leaves the view: the next run goes on show, or none when none is left', async () => {
    const t = await loadPage();
    expect(t.runId).toBe('00003-b');
    const left = LIST.filter((r) => r.id !== '00003-b');
    await t.showLastRun(left); // not listed, but no list had it before: a run shown early is not gone
    expect(t.runId).toBe('00003-b');
    await t.showLastRun(left, LIST);
    expect(t.runId).toBe('00002-a');
    expect(t.stats).toHaveLength(3); // the next run's own curves, read afresh
    await t.showLastRun([], left);
    expect(t.runId).toBeNull();
    expect(t.stats).toEqual([]);
    expect(t.samples).toEqual([]);
    expect(t.error).toBeNull(); // 00002-a's failure went with it
  });
});
