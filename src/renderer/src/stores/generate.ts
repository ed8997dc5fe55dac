import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type {
  CheckpointRef,
  GeneratedImage,
  GeneratorMeta,
  LatentsFile,
  Pin,
  SavedFile,
  SavedFolder,
} from '@shared/contract';
import type { UpscaleFilter } from '@shared/upscale';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';
import { withOverwriteConfirm } from '../lib/overwrite';
import { errorMessage } from '../lib/format';
import { useTasksStore } from './tasks';

/** A pinned latent, with its image once known. */
export interface PinnedLatent extends Pin {
  dataUrl: string | null;
}

const MAX_SEED = 2 ** 31 - 1;

/** A random seed in [0, 2^31 - 1]. */
function randomSeed(): number {
  if (typeof crypto !== 'undefined' && 'getRandomValues' in crypto) {
    return crypto.getRandomValues(new Uint32Array(1))[0] % (MAX_SEED + 1);
  }
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

/** The seeds of a grid of `count` images from `base` (wrapping at 2^31). */
export function gridSeeds(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (base + i) % (MAX_SEED + 1));
}

/**
 * The artist's view of a checkpoint: a grid of samples from seeds (re-roll
 * for new ones), pinned seeds, truncation, slerp interpolation between pins
 * (frames for the strip and the animation; GIF and PNG-sequence export),
 * saving one sample upscaled, N images to a folder, and pinned latents as
 * JSON.
 *
 * Conditional generators (meta.numClasses > 0) also take a class:
 * `classChoice` is the picked class, or null for "All classes" (the grid then
 * cycles through the classes: tile i gets class i mod numClasses). Every
 * tile knows its class and a pin keeps the class of the tile it came from;
 * single images and batches use the picked class (batches cycle with "All",
 * a pin without a class uses class 0). Unconditional generators send no class.
 *
 * Everything written (PNGs, batches, GIFs, PNG sequences) is enlarged by
 * `outputScale` with `outputFilter` (crisp pixels or smooth Lanczos). A save
 * the studio refuses because it would replace files asks "Replace …?" and
 * retries with overwrite on yes.
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
  const pins = ref<PinnedLatent[]>([]);
  const framesPerSegment = ref(12);
  const loop = ref(true);
  const frames = shallowRef<string[]>([]);
  const loading = ref(false);
  const interpolating = ref(false);
  const exporting = ref(false);
  const exportTaskId = ref<string | null>(null);
  const error = ref<string | null>(null);
  /** Integer upscale of everything written (the grid shows 1×, drawn crisp by the browser). */
  const outputScale = ref(4);
  /** How outputs are enlarged: crisp pixels (nearest) or smooth (Lanczos). */
  const outputFilter = ref<UpscaleFilter>('nearest');
  /**
   * The image at z = 0 (what ψ = 0 gives every sample, and what lower ψ pulls
   * samples toward): shown beside the slider, because for many generators it
   * is not a typical image (a DCGAN on dark-background data draws near black).
   */
  const centreImage = ref<string | null>(null);
  /** What the last save wrote (path, and a data URL for a browser download when small). */
  const lastSaved = shallowRef<SavedFile | SavedFolder | null>(null);

  const canInterpolate = computed(() => pins.value.length >= 2);
  const exportFraction = computed(() => useTasksStore().fraction(exportTaskId.value));
  const numClasses = computed(() => meta.value?.numClasses ?? 0);
  const isConditional = computed(() => numClasses.value > 0);
  /** A name for every class (the data set's subfolder names; "class i" where none is known). */
  const classNames = computed(() =>
    Array.from({ length: numClasses.value }, (_, i) => meta.value?.classNames[i] || `class ${i}`),
  );

  /** The name of a class, or null (unconditional generator, or no class). */
  function className(c: number | null | undefined): string | null {
    if (c == null || !isConditional.value) return null;
    return classNames.value[c] ?? `class ${c}`;
  }

  /** The `class` field for a request: the picked class for a conditional generator, nothing otherwise. */
  function classArg(): { class?: number | null } {
    return isConditional.value ? { class: classChoice.value } : {};
  }

  function samePin(p: Pin, seed: number, cls: number | null | undefined): boolean {
    return p.seed === seed && !p.z && (p.class ?? null) === (cls ?? null);
  }

  /** Whether the grid tile (seed, and class for a conditional generator) is pinned. */
  function isPinned(seed: number, cls: number | null = null): boolean {
    return pins.value.some((p) => samePin(p, seed, cls));
  }

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

  /**
   * Pin a tile of the grid, or unpin it when already pinned. A conditional
   * generator's pin keeps its class: `cls`, else the tile's with that seed.
   */
  function togglePin(seed: number, cls?: number | null): void {
    const img = images.value.find((i) => i.seed === seed && (cls === undefined || (i.class ?? null) === cls));
    const c = isConditional.value ? (cls !== undefined ? cls : (img?.class ?? classChoice.value ?? 0)) : null;
    if (isPinned(seed, c)) {
      pins.value = pins.value.filter((p) => !samePin(p, seed, c));
    } else {
      pins.value = [
        ...pins.value,
        c === null ? { seed, dataUrl: img?.dataUrl ?? null } : { seed, class: c, dataUrl: img?.dataUrl ?? null },
      ];
    }
    frames.value = [];
  }

  function removePin(index: number): void {
    pins.value = pins.value.filter((_, i) => i !== index);
    frames.value = [];
  }

  /** Move a pin one place left (-1) or right (+1) in the interpolation order. */
  function movePin(index: number, delta: -1 | 1): void {
    const j = index + delta;
    if (j < 0 || j >= pins.value.length) return;
    const next = pins.value.slice();
    [next[index], next[j]] = [next[j], next[index]];
    pins.value = next;
    frames.value = [];
  }

  /** Redraw the pins' images (after a checkpoint or truncation change). */
  async function refreshPinImages(): Promise<void> {
    const ck = checkpoint.value;
    if (!ck || pins.value.length === 0) return;
    try {
      const classes = isConditional.value ? { classes: pins.value.map((p) => p.class ?? 0) } : {};
      const res = await getApi().generateImages({
        checkpoint: ck,
        seeds: pins.value.map((p) => p.seed),
        truncation: truncation.value,
        ...classes,
      });
      pins.value = pins.value.map((p, i) => ({
        ...p,
        dataUrl: p.z ? p.dataUrl : (res.images[i]?.dataUrl ?? p.dataUrl),
      }));
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  /** A pin as the API takes it (its class only for a conditional generator). */
  function toPin(p: Pin): Pin {
    const out: Pin = p.z ? { seed: p.seed, z: p.z } : { seed: p.seed };
    if (isConditional.value && p.class != null) out.class = p.class;
    return out;
  }

  function pinList(): Pin[] {
    return pins.value.map(toPin);
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

  /** Write the interpolation as a GIF or a folder of PNG frames. */
  async function exportInterpolation(
    format: 'gif' | 'png-sequence',
    fps = 24,
    dir?: string,
  ): Promise<SavedFile | SavedFolder | null> {
    const ck = checkpoint.value;
    if (!ck || !canInterpolate.value) return null;
    const res = await useTasksStore().track('interpolation', exportTaskId, (taskId) =>
      guard(exporting, () =>
        withOverwriteConfirm((overwrite) =>
          getApi().exportInterpolation({
            checkpoint: ck,
            pins: pinList(),
            framesPerSegment: framesPerSegment.value,
            loop: loop.value,
            truncation: truncation.value,
            format,
            fps,
            scale: outputScale.value,
            filter: outputFilter.value,
            dir,
            taskId,
            ...(overwrite ? { overwrite } : {}),
          }),
        ),
      ),
    );
    if (res) lastSaved.value = res;
    return res;
  }

  /** Save one sample as a PNG, upscaled `scale` times with the output filter. */
  async function saveImage(pin: Pin, scale = outputScale.value, dir?: string): Promise<SavedFile | null> {
    const ck = checkpoint.value;
    if (!ck) return null;
    const res = await guard(exporting, () =>
      withOverwriteConfirm((overwrite) =>
        getApi().saveImage({
          checkpoint: ck,
          pin: toPin(pin),
          truncation: truncation.value,
          scale,
          filter: outputFilter.value,
          dir,
          ...classArg(),
          ...(overwrite ? { overwrite } : {}),
        }),
      ),
    );
    if (res) lastSaved.value = res;
    return res;
  }

  /** Generate `n` images (seeds baseSeed…) into a folder, upscaled with the output scale and filter. */
  async function generateBatch(n: number, scale = outputScale.value, dir?: string): Promise<SavedFolder | null> {
    const ck = checkpoint.value;
    if (!ck) return null;
    const res = await useTasksStore().track('generate', exportTaskId, (taskId) =>
      guard(exporting, () =>
        withOverwriteConfirm((overwrite) =>
          getApi().generateBatch({
            checkpoint: ck,
            count: n,
            seed: baseSeed.value,
            truncation: truncation.value,
            scale,
            filter: outputFilter.value,
            dir,
            taskId,
            ...classArg(),
            ...(overwrite ? { overwrite } : {}),
          }),
        ),
      ),
    );
    if (res) lastSaved.value = res;
    return res;
  }

  /** Save the pins (with their z vectors) as a latents JSON file. */
  async function saveLatents(dir?: string): Promise<SavedFile | null> {
    const ck = checkpoint.value;
    if (!ck || pins.value.length === 0) return null;
    const res = await guard(exporting, () =>
      withOverwriteConfirm((overwrite) =>
        getApi().saveLatents({
          checkpoint: ck,
          pins: pinList(),
          truncation: truncation.value,
          dir,
          ...(overwrite ? { overwrite } : {}),
        }),
      ),
    );
    if (res) lastSaved.value = res;
    return res;
  }

  /** Load pins from a latents JSON text (as read from a file); replaces the current pins. */
  async function loadLatents(json: string): Promise<LatentsFile | null> {
    const file = await guard(loading, () => getApi().parseLatents({ json }));
    if (!file) return null;
    if (meta.value && file.latentDim !== meta.value.latentDim) {
      error.value = `These latents have ${file.latentDim} dimensions; this generator takes ${meta.value.latentDim}.`;
      return null;
    }
    truncation.value = file.truncation;
    pins.value = file.pins.map((p) =>
      p.class != null && isConditional.value
        ? { seed: p.seed, z: p.z, class: p.class, dataUrl: null }
        : { seed: p.seed, z: p.z, dataUrl: null },
    );
    frames.value = [];
    await fillLoadedPinImages();
    return file;
  }

  /** Images for pins loaded with explicit z: each is a one-frame "interpolation" of itself. */
  async function fillLoadedPinImages(): Promise<void> {
    const ck = checkpoint.value;
    if (!ck) return;
    const updated = await Promise.all(
      pins.value.map(async (p) => {
        if (p.dataUrl) return p;
        try {
          const pin = toPin(p);
          const res = await getApi().interpolate({
            checkpoint: ck,
            pins: [pin, pin],
            framesPerSegment: 2,
            loop: false,
            truncation: truncation.value,
          });
          return { ...p, dataUrl: res.frames[0] ?? null };
        } catch {
          return p;
        }
      }),
    );
    pins.value = updated;
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
    classNames,
    className,
    baseSeed,
    count,
    images,
    pins,
    framesPerSegment,
    loop,
    frames,
    loading,
    interpolating,
    exporting,
    exportTaskId,
    exportFraction,
    error,
    outputScale,
    outputFilter,
    centreImage,
    lastSaved,
    canInterpolate,
    isPinned,
    open,
    generate,
    reroll,
    togglePin,
    removePin,
    movePin,
    refreshPinImages,
    interpolate,
    exportInterpolation,
    saveImage,
    generateBatch,
    saveLatents,
    loadLatents,
    setClass,
    setTruncation,
    refreshCentreImage,
  };
});
