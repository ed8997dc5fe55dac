import { computed, ref, shallowRef, type Ref } from 'vue';
import type { CheckpointRef, Pin, SavedFile, SavedFolder } from '@shared/contract';
import type { UpscaleFilter } from '@shared/upscale';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';
import { withOverwriteConfirm } from '../lib/overwrite';
import { useTasksStore } from './tasks';

/** What the saves read from the rest of the Generate store. */
export interface SavesContext {
  checkpoint: Readonly<Ref<CheckpointRef | null>>;
  truncation: Readonly<Ref<number>>;
  baseSeed: Readonly<Ref<number>>;
  framesPerSegment: Readonly<Ref<number>>;
  loop: Readonly<Ref<boolean>>;
  canInterpolate: Readonly<Ref<boolean>>;
  error: Ref<string | null>;
  /** How many pins there are: no latents file without one. */
  pinCount: () => number;
  pinList: () => Pin[];
  toPin: (p: Pin) => Pin;
  classArg: () => { class?: number | null };
}

/**
 * Everything the Generate store writes: one sample as a PNG, N images to a
 * folder, the interpolation as a GIF or PNG sequence, and the pins as a
 * latents file. Images are enlarged by `outputScale` with `outputFilter`
 * (crisp pixels or smooth Lanczos). A save the studio refuses because it
 * would replace files asks "Replace …?" and retries with overwrite on yes.
 * Long writes are tracked as tasks (`exportFraction`).
 */
export function useGeneratorSaves(ctx: SavesContext) {
  const exporting = ref(false);
  const exportTaskId = ref<string | null>(null);
  const exportFraction = computed(() => useTasksStore().fraction(exportTaskId.value));
  /** Integer upscale of everything written (the grid shows 1×, drawn crisp by the browser). */
  const outputScale = ref(4);
  /** How outputs are enlarged: crisp pixels (nearest) or smooth (Lanczos). */
  const outputFilter = ref<UpscaleFilter>('nearest');
  /** What the last save wrote (path, and a data URL for a browser download when small). */
  const lastSaved = shallowRef<SavedFile | SavedFolder | null>(null);

  /** Run one save with the busy flag, the overwrite confirmation, and `lastSaved` on success. */
  async function save<T extends SavedFile | SavedFolder>(
    call: (overwrite: { overwrite?: true }) => Promise<T>,
  ): Promise<T | null> {
    const res = await guarded(exporting, ctx.error, () =>
      withOverwriteConfirm((overwrite) => call(overwrite ? { overwrite } : {})),
    );
    if (res) lastSaved.value = res;
    return res;
  }

  /** Write the interpolation as a GIF or a folder of PNG frames. */
  async function exportInterpolation(
    format: 'gif' | 'png-sequence',
    fps = 24,
    dir?: string,
  ): Promise<SavedFile | SavedFolder | null> {
    const ck = ctx.checkpoint.value;
    if (!ck || !ctx.canInterpolate.value) return null;
    return useTasksStore().track('interpolation', exportTaskId, (taskId) =>
      save((overwrite) =>
        getApi().exportInterpolation({
          checkpoint: ck,
          pins: ctx.pinList(),
          framesPerSegment: ctx.framesPerSegment.value,
          loop: ctx.loop.value,
          truncation: ctx.truncation.value,
          format,
          fps,
          scale: outputScale.value,
          filter: outputFilter.value,
          dir,
          taskId,
          ...overwrite,
        }),
      ),
    );
  }

  /** Save one sample as a PNG, upscaled `scale` times with the output filter. */
  async function saveImage(pin: Pin, scale = outputScale.value, dir?: string): Promise<SavedFile | null> {
    const ck = ctx.checkpoint.value;
    if (!ck) return null;
    return save((overwrite) =>
      getApi().saveImage({
        checkpoint: ck,
        pin: ctx.toPin(pin),
        truncation: ctx.truncation.value,
        scale,
        filter: outputFilter.value,
        dir,
        ...ctx.classArg(),
        ...overwrite,
      }),
    );
  }

  /** Generate `n` images (seeds baseSeed…) into a folder, upscaled with the output scale and filter. */
  async function generateBatch(n: number, scale = outputScale.value, dir?: string): Promise<SavedFolder | null> {
    const ck = ctx.checkpoint.value;
    if (!ck) return null;
    return useTasksStore().track('generate', exportTaskId, (taskId) =>
      save((overwrite) =>
        getApi().generateBatch({
          checkpoint: ck,
          count: n,
          seed: ctx.baseSeed.value,
          truncation: ctx.truncation.value,
          scale,
          filter: outputFilter.value,
          dir,
          taskId,
          ...ctx.classArg(),
          ...overwrite,
        }),
      ),
    );
  }

  /** Save the pins (with their z vectors) as a latents JSON file. */
  async function saveLatents(dir?: string): Promise<SavedFile | null> {
    const ck = ctx.checkpoint.value;
    if (!ck || ctx.pinCount() === 0) return null;
    return save((overwrite) =>
      getApi().saveLatents({
        checkpoint: ck,
        pins: ctx.pinList(),
        truncation: ctx.truncation.value,
        dir,
        ...overwrite,
      }),
    );
  }

  return {
    exporting,
    exportTaskId,
    exportFraction,
    outputScale,
    outputFilter,
    lastSaved,
    exportInterpolation,
    saveImage,
    generateBatch,
    saveLatents,
  };
}
