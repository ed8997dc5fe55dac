/**
 * THE SEED RULE: what image k of seed s is. Every front end (`gan-studio
 * generate`, the studio's grid, saved PNGs, interpolations, batch writes and
 * the demo page of a web export) follows it, so one seed gives one picture.
 *
 *   - Image k of a call with seed s is the image of seed s + k. A seed names
 *     one image, wherever and in whatever batch it is drawn.
 *   - The latent z of seed t: the first latentDim draws of Rng(t), from the
 *     run's distribution (N(0, 1), or U(−1, 1) for latentDist=uniform).
 *   - Truncation ψ scales z towards the mean latent 0: z·ψ (ψ = 1: none).
 *   - The dropout noise of seed t (a G trained with g.dropout > 0 keeps its
 *     dropout on at sampling time): noise layer i draws its mask for this
 *     image alone from the seed noiseSeed(t, i), so the batch does not matter.
 *   - A conditional G takes a class besides z: the call's class, or else
 *     image k gets class k mod numClasses (a grid with one class per column).
 *   - Interpolation between pins goes by slerp; each frame takes the noise
 *     and the class of its segment's start pin for t < ½, of the end pin after,
 *     so a path's first and last frames are exactly their pins' images.
 *
 * Like defineRng, this is ONE self-contained factory (nothing from outside
 * its body but the rng it is given), because web exports ship its source.
 */
import type { defineRng } from '../rng';

type RngModule = ReturnType<typeof defineRng>;
type Dist = 'normal' | 'uniform';
/** The little of a tfjs LayersModel the noise seeding needs. */
interface LayerLike {
  getClassName(): string;
  layers?: LayerLike[];
  noiseSeed?: number | number[] | null;
}

export function defineSeedRule(rng: RngModule) {
  /** The seed of image k of a call with seed `seed`. */
  function seedOf(seed: number, k: number): number {
    return seed + k;
  }

  /** z of one seed: latentDim numbers from the run's distribution. */
  function latentOf(seed: number, latentDim: number, dist: Dist): Float32Array {
    return rng.sampleLatent(new rng.Rng(seed), 1, latentDim, dist);
  }

  /** The truncation trick: z scaled by ψ towards the mean latent (0). */
  function truncate(z: Float32Array, psi: number): Float32Array {
    if (psi === 1) return z;
    const out = new Float32Array(z.length);
    for (let i = 0; i < z.length; i++) out[i] = z[i] * psi;
    return out;
  }

  /** Latents of many seeds, truncated, one after the other in one array. */
  function latentsOf(seeds: ArrayLike<number>, latentDim: number, dist: Dist, psi: number): Float32Array {
    const out = new Float32Array(seeds.length * latentDim);
    for (let i = 0; i < seeds.length; i++) out.set(truncate(latentOf(seeds[i], latentDim, dist), psi), i * latentDim);
    return out;
  }

  /** The seed of noise layer `layer`'s mask for the image of seed `seed`. */
  function noiseSeedOf(seed: number, layer: number): number {
    return (rng.deriveSeed(seed, 'dropout') + layer * 7919) >>> 0;
  }

  /** The class of image k: the call's class, else k mod numClasses; null for an unconditional G. */
  function classOf(k: number, numClasses: number, fixed?: number | null): number | null {
    if (numClasses <= 0) return null;
    return fixed == null ? k % numClasses : fixed;
  }

  /** Every GanNoiseDropout layer of a model, nested models included, in order. */
  function noiseLayers(model: LayerLike): LayerLike[] {
    const out: LayerLike[] = [];
    for (const l of model.layers ?? []) {
      if (Array.isArray(l.layers)) out.push(...noiseLayers(l));
      else if (l.getClassName() === 'GanNoiseDropout') out.push(l);
    }
    return out;
  }

  /**
   * Seed the dropout noise of the model's next forward pass: image b of the
   * batch gets the noise of seed `seeds[b]`. null: unseeded masks. Returns
   * whether the model has any noise layer.
   */
  function seedNoise(model: LayerLike, seeds: ArrayLike<number> | null): boolean {
    const layers = noiseLayers(model);
    layers.forEach((l, i) => {
      l.noiseSeed = seeds == null ? null : Array.from(seeds, (s) => noiseSeedOf(s, i));
    });
    return layers.length > 0;
  }

  /**
   * Spherical interpolation between two latent vectors (Shoemake's slerp, as
   * in White 2016, "Sampling Generative Networks"): keeps intermediate points
   * at the norm the generator saw in training, unlike a straight line.
   * t = 0 and t = 1 give a and b exactly.
   */
  function slerp(a: Float32Array, b: Float32Array, t: number, out = new Float32Array(a.length)): Float32Array {
    if (t === 0 || t === 1) {
      out.set(t === 0 ? a : b);
      return out;
    }
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    const cos = Math.min(1, Math.max(-1, dot / (Math.sqrt(na * nb) || 1)));
    const omega = Math.acos(cos);
    const sin = Math.sin(omega);
    if (sin < 1e-6) {
      for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i] + t * b[i];
      return out;
    }
    const wa = Math.sin((1 - t) * omega) / sin;
    const wb = Math.sin(t * omega) / sin;
    for (let i = 0; i < a.length; i++) out[i] = wa * a[i] + wb * b[i];
    return out;
  }

  /**
   * The frames of an interpolation through `points` in order:
   * `framesPerSegment` frames per segment, each segment's end being the next
   * one's start; `loop` adds the segment back to the first point, otherwise
   * the last point ends the sequence. Each frame says which point's noise
   * and class it takes (`from`: the nearer end of its segment).
   */
  function interpolationPath(
    points: Float32Array[],
    framesPerSegment: number,
    loop: boolean,
  ): { z: Float32Array; from: number }[] {
    const out: { z: Float32Array; from: number }[] = [];
    const segments = loop ? points.length : points.length - 1;
    for (let s = 0; s < segments; s++) {
      const a = points[s];
      const e = (s + 1) % points.length;
      for (let k = 0; k < framesPerSegment; k++) {
        const t = k / framesPerSegment;
        out.push({ z: slerp(a, points[e], t), from: t < 0.5 ? s : e });
      }
    }
    if (!loop) out.push({ z: Float32Array.from(points[points.length - 1]), from: points.length - 1 });
    return out;
  }

  return { seedOf, latentOf, truncate, latentsOf, noiseSeedOf, classOf, seedNoise, slerp, interpolationPath };
}
