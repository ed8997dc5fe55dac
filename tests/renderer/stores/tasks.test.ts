import { afterEach, describe, expect, it } from 'vitest';
import { ref } from 'vue';
import { useTasksStore } from '@renderer/stores/tasks';
import { installFakeApi, uninstallFakeApi } from './setup';

afterEach(uninstallFakeApi);

describe('tasks store', () => {
  it('track shows the task id while the call runs and forgets the task when it ends, also on failure', async () => {
    const api = installFakeApi();
    const tasks = useTasksStore();
    const current = ref<string | null>(null);
    let seen: string | null = null;
    const answer = await tasks.track('export', current, async (taskId) => {
      seen = current.value;
      api.emit('task:progress', { taskId, kind: 'export', phase: 'write', done: 1, total: 4 });
      expect(tasks.fraction(taskId)).toBe(0.25);
      return 7;
    });
    expect(answer).toBe(7);
    expect(seen).toMatch(/^export-/);
    expect(current.value).toBeNull();
    expect(tasks.progress).toEqual({});

    let failedId = '';
    await expect(
      tasks.track('import', current, async (taskId) => {
        failedId = taskId;
        api.emit('task:progress', { taskId, kind: 'import', phase: 'decode', done: 1, total: 2 });
        throw new Error('no usable image');
      }),
    ).rejects.toThrow('no usable image');
    expect(failedId).toMatch(/^import-/);
    expect(current.value).toBeNull();
    expect(tasks.fraction(failedId)).toBe(0);
  });
});
