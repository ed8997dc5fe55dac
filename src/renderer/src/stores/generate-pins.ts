import { ref, type Ref } from 'vue';
import type { CheckpointRef, GeneratedImage, GeneratorMeta, LatentsFile, Pin } from '@shared/contract';
import { getApi } from '../api/index';
import { guarded } from '../lib/guarded';
import { errorMessage } from '../lib/format';

/** A pinned latent, with its image once known. */
export interface PinnedLatent extends Pin {
  dataUrl: string | null;
}

/** What the pins share with the rest of the Generate store. */
export interface PinsContext {
  checkpoint: Readonly<Ref<CheckpointRef | null>>;
  meta: Readonly<Ref<GeneratorMeta | null>>;
  truncation: Ref<number>;
  classChoice: Readonly<Ref<number | null>>;
  isConditional: Readonly<Ref<boolean>>;
  images: Readonly<Ref<GeneratedImage[]>>;
  /** The interpolation's frames: any change to the pins clears them. */
  frames: Ref<string[]>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
}

/**
 * The pinned latents of the Generate store: pinning grid tiles (a
 * conditional generator's pin keeps its tile's class), their order for the
 * interpolation, their images, the form the API takes them in, and loading
 * them from a latents file.
 */
export function usePins(ctx: PinsContext) {
  const pins = ref<PinnedLatent[]>([]);

  function samePin(p: Pin, seed: number, cls: number | null | undefined): boolean {
    return p.seed === seed && !p.z && (p.class ?? null) === (cls ?? null);
  }

  /** Whether the grid tile (seed, and class for a conditional generator) is pinned. */
  function isPinned(seed: number, cls: number | null = null): boolean {
    return pins.value.some((p) => samePin(p, seed, cls));
  }

  /**
   * Pin a tile of the grid, or unpin it when already pinned. A conditional
   * generator's pin keeps its class: `cls`, else the tile's with that seed.
   */
  function togglePin(seed: number, cls?: number | null): void {
    const img = ctx.images.value.find((i) => i.seed === seed && (cls === undefined || (i.class ?? null) === cls));
    const c = ctx.isConditional.value ? (cls !== undefined ? cls : (img?.class ?? ctx.classChoice.value ?? 0)) : null;
    if (isPinned(seed, c)) {
      pins.value = pins.value.filter((p) => !samePin(p, seed, c));
    } else {
      pins.value = [
        ...pins.value,
        c === null ? { seed, dataUrl: img?.dataUrl ?? null } : { seed, class: c, dataUrl: img?.dataUrl ?? null },
      ];
    }
    ctx.frames.value = [];
  }

  function removePin(index: number): void {
    pins.value = pins.value.filter((_, i) => i !== index);
    ctx.frames.value = [];
  }

  /** Move a pin one place left (-1) or right (+1) in the interpolation order. */
  function movePin(index: number, delta: -1 | 1): void {
    const j = index + delta;
    if (j < 0 || j >= pins.value.length) return;
    const next = pins.value.slice();
    [next[index], next[j]] = [next[j], next[index]];
    pins.value = next;
    ctx.frames.value = [];
  }

  /** Redraw the pins' images (after a checkpoint or truncation change). */
  async function refreshPinImages(): Promise<void> {
    const ck = ctx.checkpoint.value;
    if (!ck || pins.value.length === 0) return;
    try {
      const classes = ctx.isConditional.value ? { classes: pins.value.map((p) => p.class ?? 0) } : {};
      const res = await getApi().generateImages({
        checkpoint: ck,
        seeds: pins.value.map((p) => p.seed),
        truncation: ctx.truncation.value,
        ...classes,
      });
      pins.value = pins.value.map((p, i) => ({
        ...p,
        dataUrl: p.z ? p.dataUrl : (res.images[i]?.dataUrl ?? p.dataUrl),
      }));
    } catch (e) {
      ctx.error.value = errorMessage(e);
    }
  }

  /** A pin as the API takes it (its class only for a conditional generator). */
  function toPin(p: Pin): Pin {
    const out: Pin = p.z ? { seed: p.seed, z: p.z } : { seed: p.seed };
    if (ctx.isConditional.value && p.class != null) out.class = p.class;
    return out;
  }

  function pinList(): Pin[] {
    return pins.value.map(toPin);
  }

  /** Load pins from a latents JSON text (as read from a file); replaces the current pins. */
  async function loadLatents(json: string): Promise<LatentsFile | null> {
    const file = await guarded(ctx.loading, ctx.error, () => getApi().parseLatents({ json }));
    if (!file) return null;
    const meta = ctx.meta.value;
    if (meta && file.latentDim !== meta.latentDim) {
      ctx.error.value = `These latents have ${file.latentDim} dimensions; this generator takes ${meta.latentDim}.`;
      return null;
    }
    ctx.truncation.value = file.truncation;
    pins.value = file.pins.map((p) =>
      p.class != null && ctx.isConditional.value
        ? { seed: p.seed, z: p.z, class: p.class, dataUrl: null }
        : { seed: p.seed, z: p.z, dataUrl: null },
    );
    ctx.frames.value = [];
    await fillLoadedPinImages();
    return file;
  }

  /** Images for pins loaded with explicit z: each is a one-frame "interpolation" of itself. */
  async function fillLoadedPinImages(): Promise<void> {
    const ck = ctx.checkpoint.value;
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
            truncation: ctx.truncation.value,
          });
          return { ...p, dataUrl: res.frames[0] ?? null };
        } catch {
          return p;
        }
      }),
    );
    pins.value = updated;
  }

  return { pins, isPinned, togglePin, removePin, movePin, refreshPinImages, toPin, pinList, loadLatents };
}
