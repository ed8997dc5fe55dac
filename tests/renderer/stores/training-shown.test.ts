import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computed, ref } from 'vue';
import { useShownRun } from '@renderer/stores/training-shown';
import { detail, stat } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
});

afterEach(uninstallFakeApi);

function shownRun(active = false) {
  const error = ref<string | null>(null);
  return { error, run: useShownRun({ active: computed(() => active), error }) };
}

describe('the run on show', () => {
  it('loads history, appends only steps past the last, and cuts back to a step', async () => {
    vi.mocked(api.getRun).mockResolvedValue(detail('00001-run', [0, 2, 4]));
    vi.mocked(api.runStats).mockResolvedValue({
      runId: '00001-run',
      stats: [1, 2, 3, 4].map((s) => stat(s)),
      total: 4,
    });
    const { run } = shownRun();
    await run.showRun('00001-run');
    expect(run.samples.value.map((s) => s.step)).toEqual([0, 2, 4]);
    expect(run.samples.value[2].src).toBe('data:image/png;base64,sample-4'); // the newest grid is fetched

    run.appendStats([stat(3), stat(4), stat(5)]);
    expect(run.stats.value.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);

    run.cutBack(2);
    expect(run.stats.value.map((s) => s.step)).toEqual([1, 2]);
    expect(run.samples.value.map((s) => s.step)).toEqual([0, 2]);
  });

  it("a failed run's saved error shows unless a job is active; setShown(null) clears all", async () => {
    const failed = detail('00002-run', []);
    failed.summary = { ...failed.summary, status: 'failed', error: 'out of memory' };
    vi.mocked(api.getRun).mockResolvedValue(failed);
    vi.mocked(api.runStats).mockResolvedValue({ runId: '00002-run', stats: [stat(1)], total: 1 });
    const idle = shownRun(false);
    await idle.run.showRun('00002-run');
    expect(idle.error.value).toBe('out of memory');
    const busy = shownRun(true);
    await busy.run.showRun('00002-run');
    expect(busy.error.value).toBeNull();

    idle.run.setShown(null);
    expect(idle.run.runId.value).toBeNull();
    expect(idle.run.stats.value).toEqual([]);
    expect(idle.run.loss.value).toBeNull();
  });
});
