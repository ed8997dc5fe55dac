import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CheckpointRef, QuantizeOption, WebExportResult } from '@shared/contract';
import { getApi } from '../api/index';
import { errorMessage } from '../lib/format';
import { guarded } from '../lib/guarded';
import { withOverwriteConfirm } from '../lib/overwrite';
import { useTasksStore } from './tasks';

/** The TensorFlow.js web export of a checkpoint's generator, with progress. */
export const useExportStore = defineStore('export', () => {
  const checkpoint = ref<CheckpointRef | null>(null);
  /** A chosen output folder; null: the run's export-web/ folder. */
  const dir = ref<string | null>(null);
  /** Weight storage: float32, or TF.js-quantized uint8 / float16. */
  const quantize = ref<QuantizeOption>('none');
  const taskId = ref<string | null>(null);
  const running = ref(false);
  const result = shallowRef<WebExportResult | null>(null);
  const error = ref<string | null>(null);
  /** Where the folder is, when it could not be opened here (browser mode). */
  const shownPath = ref<string | null>(null);

  const fraction = computed(() => (result.value && !running.value ? 1 : useTasksStore().fraction(taskId.value)));
  const phase = computed(() => (taskId.value ? (useTasksStore().progress[taskId.value]?.phase ?? 'starting') : null));

  /** Export the chosen checkpoint. */
  async function run(): Promise<WebExportResult | null> {
    const ck = checkpoint.value;
    if (!ck) return null;
    result.value = null;
    shownPath.value = null;
    return useTasksStore().track('export', taskId, (id) =>
      guarded(running, error, async () => {
        // A chosen folder that already holds files: ask before writing into it.
        result.value = await withOverwriteConfirm((overwrite) =>
          getApi().exportWeb({
            checkpoint: ck,
            dir: dir.value ?? undefined,
            quantize: quantize.value,
            taskId: id,
            ...(overwrite ? { overwrite } : {}),
          }),
        );
        return result.value;
      }),
    );
  }

  /** Open the export folder in the file manager (browser mode: show its path). */
  async function showInFolder(): Promise<void> {
    if (!result.value) return;
    try {
      const res = await getApi().openPath({ kind: 'path', path: result.value.dir });
      shownPath.value = res.opened ? null : res.path;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /**
   * Download the written export as one zip (browser mode has no folder to
   * open): the server streams it from the export's download link. The
   * desktop app has no link, and shows the folder instead.
   */
  function downloadZip(): void {
    const link = result.value?.download;
    if (!link || !result.value) return;
    const a = document.createElement('a');
    a.href = link;
    a.download = `${result.value.dir.split(/[\\/]/).pop() ?? 'export'}.zip`;
    a.click();
  }

  return {
    checkpoint,
    dir,
    quantize,
    taskId,
    running,
    result,
    error,
    shownPath,
    fraction,
    phase,
    run,
    showInFolder,
    downloadZip,
  };
});
