/** Seeds for the Generate view: the range the engine's seed rule takes, and the grid's seeds. */

/** The largest seed (seeds are in [0, 2^31 - 1], as the engine takes them). */
const MAX_SEED = 2 ** 31 - 1;

/** A random seed in [0, 2^31 - 1]. */
export function randomSeed(): number {
  if (typeof crypto !== 'undefined' && 'getRandomValues' in crypto) {
    return crypto.getRandomValues(new Uint32Array(1))[0] % (MAX_SEED + 1);
  }
  return Math.floor(Math.random() * (MAX_SEED + 1));
}

/** The seeds of a grid of `count` images from `base` (wrapping at 2^31). */
export function gridSeeds(base: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (base + i) % (MAX_SEED + 1));
}
