/**
 * A small seedable PRNG whose whole state is four 32-bit words, so a run can
 * save it in a checkpoint and resume with the very same noise and data order.
 * (tf.randomNormal's seeded generator hides its state, so it cannot resume.)
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator),
 * seeded through splitmix32 so that nearby seeds give unrelated streams.
 *
 * The code lives in ONE self-contained factory, `defineRng`, because web
 * exports ship it: `defineRng.toString()` goes into `gan-sampler.js`
 * (src/engine/generate/web-sampler.ts), so a page draws the very latents the
 * engine draws. Nothing inside may reference anything outside its body.
 */
export type RngState = [number, number, number, number];

/** The distribution latent vectors are drawn from (config.model.latentDist). */
type Dist = 'normal' | 'uniform';

export function defineRng() {
  class Rng {
    private a: number;
    private b: number;
    private c: number;
    private d: number;

    constructor(seedOrState: number | RngState) {
      if (typeof seedOrState === 'number') {
        if (!Number.isInteger(seedOrState)) throw new RangeError(`seed must be an integer, got ${seedOrState}`);
        let s = seedOrState >>> 0;
        const next = (): number => {
          // splitmix32
          s = (s + 0x9e3779b9) >>> 0;
          let z = s;
          z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
          z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
          return (z ^ (z >>> 16)) >>> 0;
        };
        this.a = next();
        this.b = next();
        this.c = next();
        this.d = next();
        for (let i = 0; i < 12; i++) this.nextUint32(); // warm up
      } else {
        [this.a, this.b, this.c, this.d] = seedOrState.map((v) => v >>> 0) as RngState;
      }
    }

    /** A copy of the state, for checkpoints. */
    get state(): RngState {
      // `^` yields signed int32s; store unsigned words so a saved state reads the same everywhere.
      return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
    }

    nextUint32(): number {
      const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
      this.d = (this.d + 1) >>> 0;
      this.a = this.b ^ (this.b >>> 9);
      this.b = (this.c + (this.c << 3)) >>> 0;
      this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
      this.c = (this.c + t) >>> 0;
      return t;
    }

    /** Uniform in [0, 1). */
    uniform(): number {
      return this.nextUint32() / 4294967296;
    }

    /** Integer in [0, n). */
    int(n: number): number {
      return Math.floor(this.uniform() * n);
    }

    /** Fill `out` with N(0, 1) samples (Box–Muller; no cached spare, so the state alone defines the stream). */
    normal(out: Float32Array): Float32Array {
      for (let i = 0; i < out.length; i += 2) {
        const u1 = 1 - this.uniform(); // (0, 1]: log stays finite
        const u2 = this.uniform();
        const r = Math.sqrt(-2 * Math.log(u1));
        out[i] = r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
      }
      return out;
    }

    /** A Fisher–Yates permutation of 0..n-1. */
    permutation(n: number): Uint32Array {
      const p = new Uint32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = this.int(i + 1);
        const t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      return p;
    }
  }

  /** Derive an independent sub-seed (for a named stream) from a run seed. */
  function deriveSeed(seed: number, stream: string): number {
    let h = 0x811c9dc5 ^ (seed >>> 0);
    for (let i = 0; i < stream.length; i++) {
      h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
    }
    return new Rng(h).nextUint32() & 0x7fffffff;
  }

  /** `count` latent vectors of `dim` numbers: N(0, 1), or U(−1, 1) for 'uniform'. */
  function sampleLatent(rng: Rng, count: number, dim: number, dist: Dist): Float32Array {
    const out = new Float32Array(count * dim);
    if (dist === 'normal') return rng.normal(out);
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform() * 2 - 1;
    return out;
  }

  return { Rng, deriveSeed, sampleLatent };
}

const built = defineRng();

export const Rng = built.Rng;
export type Rng = InstanceType<typeof Rng>;
export const deriveSeed = built.deriveSeed;
/** The engine's latent draws (training noise, sample grids, generation). */
export const sampleLatent = built.sampleLatent;
