import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mergeDiffs, useRunsStore } from '@renderer/stores/runs';
import { detail, stat, summary } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

describe('runs store', () => {
  it('lists runs with thumbnails, compares two, and deletes one', async () => {
    vi.mocked(api.listRuns).mockResolvedValue([summary('00001-a'), summary('00002-b', { lastSampleStep: null })]);
    vi.mocked(api.diffRuns).mockResolvedValue([{ path: 'g.lr', a: 0.0002, b: 0.0004 }]);
    vi.mocked(api.runStats).mockImplementation(async (req) => ({ runId: req.runId, stats: [stat(1)], total: 1 }));
    const r = useRunsStore();
    await r.init();
    await vi.waitFor(() => expect(r.thumbs['00001-a']).toBeDefined());
    expect(r.runs).toHaveLength(2);
    await r.compare('00001-a', '00002-b');
    expect(r.diff).toEqual([{ path: 'g.lr', a: 0.0002, b: 0.0004 }]);
    expect(Object.keys(r.compareStats)).toEqual(['00001-a', '00002-b']);
    expect(await r.remove('00002-b')).toBe(true);
    expect(api.deleteRun).toHaveBeenCalledWith({ runId: '00002-b' });
    expect(r.runs.map((x) => x.id)).toEqual(['00001-a']);
    expect(r.compareIds).toBeNull();
  });

  it('open folder tells where the folder is when it cannot open it (browser mode)', async () => {
    const r = useRunsStore();
    await r.openFolder('00001-a');
    expect(r.notice).toBe('/tmp/runs/00001-a');
  });
});

describe('runs store: comparing any number of runs', () => {
  it('merges the diffs against the first run into one table with a column per run', async () => {
    vi.mocked(api.diffRuns).mockImplementation(async ({ b }) =>
      b === '00002-b' ? [{ path: 'g.lr', a: 0.0002, b: 0.0004 }] : [{ path: 'batchSize', a: 64, b: 32 }],
    );
    vi.mocked(api.getRun).mockImplementation(async ({ runId }) =>
      detail(runId, runId === '00003-c' ? [100] : [100, 200]),
    );
    const r = useRunsStore();
    await r.compare('00001-a', '00002-b', '00003-c');
    expect(r.compareIds).toEqual(['00001-a', '00002-b', '00003-c']);
    expect(r.diffTable).toEqual([
      { path: 'batchSize', values: [64, 64, 32] },
      { path: 'g.lr', values: [0.0002, 0.0004, 0.0002] },
    ]);
    expect(Object.keys(r.compareStats)).toHaveLength(3);
    expect(r.compareSampleSteps['00003-c']).toEqual([100]);
  });

  it("mergeDiffs keeps a run without the difference at the first run's value", () => {
    expect(mergeDiffs([[{ path: 'x', a: 1, b: 2 }], []])).toEqual([{ path: 'x', values: [1, 2, 1] }]);
  });
});
