import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { BackendsInfo, ConnectionState, StudioInfo, Unsubscribe } from '@shared/contract';
import { getApi } from '../api/index';
import { errorMessage } from '../lib/format';

/**
 * The studio as a whole: what the backend says about itself (desktop or
 * browser mode, where runs live), the link to it, and the compute backends.
 */
export const useStudioStore = defineStore('studio', () => {
  /** From `studio:info`; null until loaded. */
  const info = shallowRef<StudioInfo | null>(null);
  /** The link to the backend (always up in the desktop app). */
  const connection = ref<ConnectionState>({ connected: true, attempt: 0, error: null });
  /** Compute backends, loaded on demand (probing them is slow). */
  const backends = shallowRef<BackendsInfo | null>(null);
  const error = ref<string | null>(null);
  let unsubscribe: Unsubscribe | null = null;

  /** True in the desktop app: folders come from the native dialog. */
  const nativeDialogs = computed(() => info.value?.nativeDialogs ?? false);

  /** Load the studio info and watch the connection. Safe to call again. */
  async function init(): Promise<void> {
    const api = getApi();
    if (!unsubscribe) {
      unsubscribe = api.onConnectionChange((state) => {
        connection.value = state;
      });
    }
    try {
      info.value = await api.studioInfo();
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** Probe the compute backends (once; pass force to probe again). */
  async function loadBackends(force = false): Promise<BackendsInfo | null> {
    if (backends.value && !force) return backends.value;
    try {
      backends.value = await getApi().backends();
    } catch (e) {
      error.value = errorMessage(e);
    }
    return backends.value;
  }

  return { info, connection, backends, error, nativeDialogs, init, loadBackends };
});
