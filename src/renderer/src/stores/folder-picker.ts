import { defineStore } from 'pinia';
import { ref } from 'vue';
import { getApi } from '../api/index';
import { useStudioStore } from './studio';

type FolderPurpose = 'dataset' | 'output';

/**
 * Choosing a folder. In the desktop app this is the native dialog; in browser
 * mode the app's FolderBrowserDialog (mounted once in App.vue) opens, lists
 * folders through `fs:list-dir`, and confirms with `fs:choose-folder`. Either
 * way the backend then allows that folder.
 */
export const useFolderPickerStore = defineStore('folderPicker', () => {
  /** The browser-mode dialog is open. */
  const open = ref(false);
  const purpose = ref<FolderPurpose>('dataset');
  const title = ref('Choose a folder');
  /** Folder the browser starts in. */
  const startPath = ref<string | null>(null);
  let resolver: ((path: string | null) => void) | null = null;

  /** Ask the user for a folder; null when cancelled. */
  async function pick(forPurpose: FolderPurpose, dialogTitle?: string, start?: string | null): Promise<string | null> {
    const studio = useStudioStore();
    if (!studio.info) await studio.init();
    const heading = dialogTitle ?? (forPurpose === 'dataset' ? 'Choose an image folder' : 'Choose an output folder');
    if (studio.nativeDialogs) {
      return getApi().pickFolder({ title: heading, purpose: forPurpose });
    }
    resolver?.(null);
    purpose.value = forPurpose;
    title.value = heading;
    startPath.value = start ?? null;
    open.value = true;
    return new Promise((resolve) => {
      resolver = resolve;
    });
  }

  /** The dialog's answer: a folder confirmed with `fs:choose-folder`, or null. */
  function settle(path: string | null): void {
    open.value = false;
    const r = resolver;
    resolver = null;
    r?.(path);
  }

  return { open, purpose, title, startPath, pick, settle };
});
