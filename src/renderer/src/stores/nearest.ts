import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CheckpointRef, NearestImages, Pin } from '@shared/contract';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';

/** Neighbours shown per space. */
export const NEAREST_K = 3;

/**
 * The memorization check in Generate: a clicked sample and its nearest
 * training images (features and pixels, with distances), from the tools
 * worker. A run whose data set moved or went away answers with a clear line.
 */
export const useNearestStore = defineStore('nearest', () => {
  const result = shallowRef<NearestImages | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  /** The sample asked about (shown while its neighbours load, and with an error). */
  const asked = shallowRef<Pin | null>(null);

  /** Find the nearest training images of one sample of `checkpoint`. */
  async function find(checkpoint: CheckpointRef, pin: Pin, truncation: number, scale = 2): Promise<void> {
    asked.value = pin;
    result.value = null;
    const res = await guarded(loading, error, () =>
      getApi().nearestImages({ checkpoint, pin, truncation, k: NEAREST_K, scale }),
    );
    if (asked.value === pin) result.value = res;
  }

  function close(): void {
    asked.value = null;
    result.value = null;
    error.value = null;
  }

  return { result, loading, error, asked, find, close };
});
