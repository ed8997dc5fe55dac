/**
 * Repairing a damaged run from the Runs table: only damaged or interrupted
 * runs offer it; the studio is first asked what it would do (a dry run), the
 * user sees that list, and only a confirmation repairs; Cancel changes nothing.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setApiForTesting } from '@renderer/api/index';
import RunsTable from '@renderer/components/run/RunsTable.vue';
import { useRunsStore } from '@renderer/stores/runs';
import { createFakeApi } from '../fake-api';
import { summary } from '../fixtures';
import { withPinia } from '../setup';

afterEach(() => {
  setApiForTesting(null);
  document.body.innerHTML = '';
});

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
  await flushPromises();
};
const dialogButton = (text: string) =>
  [...document.querySelectorAll<HTMLButtonElement>('.el-message-box__btns button')].find(
    (b) => b.textContent?.trim() === text,
  );

describe('RunsTable repair', () => {
  it('shows what a repair would do, and repairs only when confirmed', async () => {
    const api = createFakeApi();
    const broken = summary('00002-broken', {
      problem: 'Not a run folder: /tmp/runs/00002-broken (no config.json).',
      status: 'new',
      resumable: false,
    });
    vi.mocked(api.listRuns).mockResolvedValue([broken, summary('00001-good')]);
    setApiForTesting(api);
    const opts = withPinia();
    const runs = useRunsStore();
    await runs.refresh();
    const wrapper = mount(RunsTable, {
      props: { maxChecked: 6, checked: [] },
      global: opts.global,
      attachTo: document.body,
    });
    await flushPromises();
    // Only the damaged run offers a repair.
    const buttons = wrapper.findAll('[data-testid="row-repair"]');
    expect(buttons).toHaveLength(1);

    await buttons[0].trigger('click');
    await settle();
    expect(api.repairRun).toHaveBeenCalledTimes(1);
    expect(api.repairRun).toHaveBeenLastCalledWith({ runId: '00002-broken', apply: false });
    expect(document.querySelector('.el-message-box')?.textContent).toContain(
      'write the missing status.json: stopped at step 4',
    );
    dialogButton('Cancel')!.click();
    await settle();
    expect(api.repairRun).toHaveBeenCalledTimes(1); // cancelled: nothing repaired

    await buttons[0].trigger('click');
    await settle();
    dialogButton('Repair')!.click();
    await settle();
    expect(api.repairRun).toHaveBeenCalledTimes(3);
    expect(api.repairRun).toHaveBeenLastCalledWith({ runId: '00002-broken', apply: true });
    expect(api.listRuns).toHaveBeenCalledTimes(2); // the list is read again after the repair
    expect(document.body.textContent).toContain('Repaired 00002-broken: write the missing status.json');
    wrapper.unmount();
  });
});
