import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rememberRun } from '@renderer/lib/run-on-show';
import { checkpointRunOnOpen } from '@renderer/stores/run-to-open';
import { useTrainingStore } from '@renderer/stores/training';
import { detail, stat, summary } from '../fixtures';
import type { FakeApi } from '../fake-api';
import { installFakeApi, uninstallFakeApi } from './setup';

let api: FakeApi;

beforeEach(() => {
  api = installFakeApi();
  vi.mocked(api.listRuns).mockResolvedValue([
    summary('00003-b', { lastCheckpointStep: 12 }),
    summary('00002-a', { lastCheckpointStep: 40 }),
    summary('00001-run', { lastCheckpointStep: 300 }),
  ]);
  vi.mocked(api.getRun).mockImplementation(async ({ runId }) => detail(runId, []));
  vi.mocked(api.runStats).mockImplementation(async ({ runId }) => ({ runId, stats: [stat(1)], total: 1 }));
});

afterEach(uninstallFakeApi);

describe('the run Generate and Export open on', () => {
  it('loads the Runs list and opens the newest run with a checkpoint when Train shows none', async () => {
    expect(await checkpointRunOnOpen()).toBe('00003-b');
    expect(api.listRuns).toHaveBeenCalled();
  });

  it('opens the run Train shows', async () => {
    await useTrainingStore().showRun('00001-run');
    expect(await checkpointRunOnOpen()).toBe('00001-run');
  });

  it('with nothing on show, the run this tab showed before a reload', async () => {
    rememberRun('00002-a');
    expect(await checkpointRunOnOpen()).toBe('00002-a');
  });
});
