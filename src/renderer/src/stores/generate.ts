import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { CheckpointRef, GeneratedImage, GeneratorMeta } from '@shared/contract';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';
import { useGeneratorClasses } from './generate-classes';
import { usePins } from './generate-pins';
import { useGeneratorSaves } from './generate-saves';
import { gridSeeds, randomSeed } from './generate-seeds';

export type { PinnedLatent } from './generate-pins';
export { gridSeeds } from './generate-seeds';

/**
 * The artist's view of a checkpoint: a grid of samples from seeds (re-roll
 * for new ones), pinned seeds, truncation, slerp interpolation between pins
 * (frames for the strip and the animation; GIF and PNG-sequence export),
 * saving one sample upscaled, N images to a folder, and pinned latents as
 * JSON.
 *
 * This file holds the checkpoint, the grid and the interpolation, and
 * composes the rest, one job a file: the classes (`generate-classes.ts`),
 * the pins and latents files (`generate-pins.ts`), everything written
 * (`generate-saves.ts`) and the seeds (`generate-seeds.ts`).
 *
 * Conditional generators (meta.numClasses > 0) also take a class:
 * `classChoice` is the picked class, or null for "All classes" (the grid then
 * cycles through the classes: tile i gets class i mod numClasses). Every
 * tile knows its class and a pin keeps the class of the tile it came from;
 * single images and batches use the picked class (batches cycle with "All",
 * a pin without a class uses class 0). Unconditional generators send no class.
 */
export const useGenerateStore = defineStore('generate', () => {
  const checkpoint = ref<CheckpointRef | null>(null);
  const meta = shallowRef<GeneratorMeta | null>(null);
  const truncation = ref(1);
  /** Conditional generators: the picked class; null = all classes (cycled through the grid). */
  const classChoice = ref<number | null>(null);
  const baseSeed = ref(0);
  const count = ref(16);
  const images = shallowRef<GeneratedImage[]>([]);
  const framesPerSegment = ref(12);
  const loop = ref(true);
  const frames = shallowRef<string[]>([]);
  const loading = ref(false);
  const interpolating = ref(false);
  const error = ref<string | null>(null);
  /**
   * The image at z = 0 (what ψ = 0 gives every sample, and what lower ψ pulls
   * samples toward): shown beside the slider, because for many generators it
   * is not a typical image (a DCGAN on dark-background data draws near black).
   */
  const centreImage = ref<string | null>(null);

  const classes = useGeneratorClasses(meta, classChoice);
  const { isConditional, numClasses, classArg } = classes;
  const pinned = usePins({ checkpoint, meta, truncation, classChoice, isConditional, images, frames, loading, error });
  const { pins, pinList, refreshPinImages } = pinned;
  const canInterpolate = computed(() => pins.value.length >= 2);
  const saves = useGeneratorSaves({
    checkpoint,
    truncation,
    baseSeed,
    framesPerSegment,
    loop,
    canInterpolate,
    error,
    pinCount: () => pins.value.length,
    pinList,
    toPin: pinned.toPin,
    classArg,
  });

  const guard = <T>(flag: { value: boolean }, fn: () => Promise<T>): Promise<T | null> => guarded(flag, error, fn);

  /** Open a checkpoint (a run's newest when `step` is null) and draw a grid. */
  async function open(ref_: CheckpointRef): Promise<void> {
    checkpoint.value = { runId: ref_.runId, step: ref_.step ?? null };
    frames.value = [];
    const m = await guard(loading, () => getApi().loadGenerator({ checkpoint: checkpoint.value! }));
    if (!m) return;
    meta.value = m;
    if (classChoice.value !== null && classChoice.value >= m.numClasses) classChoice.value = null;
    centreImage.value = null;
    await generate();
    await refreshPinImages();
  }

  /** G(0), drawn when first asked for (the ψ explanation): ψ = 0 scales any seed's z to 0 (the picked class, or class 0). */
  async function refreshCentreImage(): Promise<void> {
    const ck = checkpoint.value;
    if (!ck || centreImage.value) return;
    try {
      const cls = isConditional.value ? { class: classChoice.value ?? 0 } : {};
      const res = await getApi().generateImages({ checkpoint: ck, seeds: [0], truncation: 0, ...cls });
      centreImage.value = res.images[0]?.dataUrl ?? null;
    } catch {
      // only an illustration: the grid's own call reports errors
    }
  }

  /** Draw the grid: `count` images from seeds baseSeed, baseSeed+1, … */
  async function generate(): Promise<void> {
    const ck = checkpoint.value;
    if (!ck) return;
    const res = await guard(loading, () =>
      getApi().generateImages({
        checkpoint: ck,
        seeds: gridSeeds(baseSeed.value, count.value),
        truncation: truncation.value,
        ...classArg(),
      }),
    );
    if (res) {
      images.value = res.images;
      meta.value = res.meta;
    }
  }

  /** New random seeds for the grid. */
  async function reroll(): Promise<void> {
    baseSeed.value = randomSeed();
    await generate();
  }

  /** Slerp between the pins, in order: the frames for the strip and the animation. */
  async function interpolate(): Promise<void> {
    const ck = checkpoint.value;
    if (!ck || !canInterpolate.value) return;
    const res = await guard(interpolating, () =>
      getApi().interpolate({
        checkpoint: ck,
        pins: pinList(),
        framesPerSegment: framesPerSegment.value,
        loop: loop.value,
        truncation: truncation.value,
      }),
    );
    if (res) frames.value = res.frames;
  }

  /** Pick a class (null: all classes, cycled through the grid) and redraw the grid. */
  async function setClass(value: number | null): Promise<void> {
    if (value !== null && !(Number.isInteger(value) && value >= 0 && value < numClasses.value)) return;
    classChoice.value = value;
    frames.value = [];
    centreImage.value = null;
    await generate();
  }

  async function setTruncation(value: number): Promise<void> {
    truncation.value = value;
    frames.value = [];
    await generate();
    await refreshPinImages();
  }

  return {
    checkpoint,
    meta,
    truncation,
    classChoice,
    numClasses,
    isConditional,
    classNames: classes.classNames,
    className: classes.className,
    baseSeed,
    count,
    images,
    pins,
    framesPerSegment,
    loop,
    frames,
    loading,
    interpolating,
    exporting: saves.exporting,
    exportTaskId: saves.exportTaskId,
    exportFraction: saves.exportFraction,
    error,
    outputScale: saves.outputScale,
    outputFilter: saves.outputFilter,
    centreImage,
    lastSaved: saves.lastSaved,
    canInterpolate,
    isPinned: pinned.isPinned,
    open,
    generate,
    reroll,
    togglePin: pinned.togglePin,
    removePin: pinned.removePin,
    movePin: pinned.movePin,
    refreshPinImages,
    interpolate,
    exportInterpolation: saves.exportInterpolation,
    saveImage: saves.saveImage,
    generateBatch: saves.generateBatch,
    saveLatents: saves.saveLatents,
    loadLatents: pinned.loadLatents,
    setClass,
    setTruncation,
    refreshCentreImage,
  };
});
